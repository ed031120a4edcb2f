"""The live audit: one look at a model, its optimizer (and scheduler, loss) before training.

`audit(model, optimizer, ...)` returns a `Report` of catalog findings:

* SG101 an adaptive optimizer applies coupled L2 weight decay (see `stepguard.auditing._decay_style` for what
  is recognised);
* SG102 bias / norm / embedding / 1-D / declared no-decay tensors in a group with weight decay
  (per-tensor decisions from `stepguard.groups._classify.classify`);
* SG103 the loss's autograd graph holds a norm penalty on parameters the optimizer also decays
  (see `stepguard.auditing._penalties` for the method and its limits);
* SG104 trainable parameters missing from the optimizer, frozen ones inside it, optimizer tensors
  that are not the model's, and an empty ``weight_decay=0`` group while decay is on;
* SG105 the decay timescale far outside the run (needs ``total_steps``);
* SG205 a schedule sized in micro-batches (needs ``scheduler``, ``total_steps`` and
  ``accum_steps > 1``; see `stepguard.schedule_length` for which schedulers reveal their length).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from stepguard._unwrap import unwrap_optimizer as _unwrap_optimizer
from stepguard._unwrap import unwrap_scheduler
from stepguard.auditing import _checks as rules
from stepguard.auditing._checks import Group, listing
from stepguard.auditing._decay_style import decay_style
from stepguard.auditing._penalties import find_penalties
from stepguard.auditing._schedule import schedule_length
from stepguard.findings import Finding, Report
from stepguard.groups._classify import DEFAULT_NO_DECAY, classify, clean_name, unwrap

__all__ = ["DEFAULT_TAU_BAND", "audit"]

# SG105's band, as fractions of the run: flag tau < run / 100 or tau > 10 * run.
DEFAULT_TAU_BAND: tuple[float, float] = (0.01, 10.0)


def _group_number(raw: Mapping[str, Any], key: str, label: str) -> float:
    """A param group's ``lr`` / ``weight_decay`` (a tensor, a number, or unset) as a float."""
    value = raw.get(key)
    if value is None:
        return 0.0
    try:
        x = float(value.item()) if isinstance(value, torch.Tensor) else float(value)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"optimizer {label} has {key}={value!r:.60}, not a number; set "
            f"optimizer.param_groups[...][{key!r}] to a float"
        ) from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(
            f"optimizer {label} has {key}={x!r}: training with it would "
            f"{'produce nan weights' if math.isnan(x) else 'diverge or grow the weights'}; set "
            f"a finite {key} >= 0 (it was probably changed after the optimizer was built)"
        )
    return x


def _check_int(value: object, what: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _optimizers(optimizer: object) -> list[torch.optim.Optimizer]:
    if isinstance(optimizer, (list, tuple)):
        if not optimizer or not all(hasattr(o, "param_groups") for o in optimizer):
            raise TypeError(
                "audit() needs a torch.optim.Optimizer (or a list of optimizers), got a "
                f"{type(optimizer).__name__} of {', '.join(type(o).__name__ for o in optimizer[:2]) or 'nothing'}; "
                "pass the optimizer object (e.g. torch.optim.AdamW(...)), not its param groups"
            )
        return [_unwrap_optimizer(o) for o in optimizer]
    return [_unwrap_optimizer(optimizer)]


def _check_flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return value


def _check_band(tau_band: Any) -> tuple[float, float]:
    try:
        pair = tuple(tau_band)
        if len(pair) != 2:
            raise ValueError
        low, high = float(pair[0]), float(pair[1])
    except (TypeError, ValueError, IndexError):
        raise TypeError(
            f"tau_band must be a pair of numbers (low, high) as fractions of total_steps, e.g. "
            f"{DEFAULT_TAU_BAND}, got {tau_band!r}"
        ) from None
    if not 0 < low < high:  # NaN fails too; high may be math.inf (no info band)
        raise ValueError(
            f"tau_band must be (low, high) with 0 < low < high, e.g. {DEFAULT_TAU_BAND}, got "
            f"{tau_band!r}"
        )
    return low, high


def _check_scheduler(scheduler: object, opts: list[torch.optim.Optimizer]) -> Any:
    """`scheduler` if it is a scheduler driving one of `opts`; else a clear error."""
    inner = scheduler
    if isinstance(inner, Mapping):  # Lightning's {"scheduler": ..., "interval": ...}
        if "scheduler" not in inner:
            raise TypeError(
                "scheduler is a dict without a 'scheduler' key; pass the scheduler object (or "
                "Lightning's {'scheduler': sched, 'interval': 'step'} config)"
            )
        inner = inner["scheduler"]
    inner = unwrap_scheduler(inner)
    if isinstance(inner, type) or not callable(getattr(inner, "step", None)):
        raise TypeError(
            f"scheduler must be a learning-rate scheduler object with a step() method, got "
            f"{type(scheduler).__name__} {scheduler!r:.60}; pass the scheduler itself, e.g. "
            "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)"
        )
    bound = getattr(inner, "optimizer", None)
    if bound is not None:
        try:
            bound = _unwrap_optimizer(bound)
        except TypeError:
            return scheduler  # a scheduler of another kind (no torch optimizer to compare)
        if all(bound is not o for o in opts):
            raise ValueError(
                f"scheduler ({type(inner).__name__}) drives another {type(bound).__name__}, not "
                "the optimizer being audited: it was built for an optimizer that was later "
                "rebuilt or replaced, so the audited optimizer's learning rate never follows "
                "the schedule; build the scheduler from the optimizer you train with"
            )
    return scheduler


def _check_patterns(value: object, what: str) -> Iterable[str]:
    if value is None:
        raise TypeError(
            f"{what} must be a collection of strings (e.g. () for none), got None; leave it out "
            "for the default"
        )
    return value  # type: ignore[return-value]  # classify() checks the contents


def _check_loss(loss: object) -> torch.Tensor:
    if not isinstance(loss, torch.Tensor):
        raise TypeError(
            f"loss must be the loss tensor (before .backward()), got {type(loss).__name__}; "
            "pass `loss`, not `loss.item()`"
        )
    if loss.numel() != 1:
        raise ValueError(
            f"loss must be a scalar tensor, got shape {tuple(loss.shape)}; pass the reduced "
            "loss (e.g. loss.mean()) that you call .backward() on"
        )
    if loss.grad_fn is None:
        raise ValueError(
            "loss has no autograd graph (grad_fn is None): it was computed under torch.no_grad(), "
            "detached, or does not depend on any parameter; pass the loss before .backward()"
        )
    return loss


def audit(
    model: nn.Module,
    optimizer: torch.optim.Optimizer | Sequence[torch.optim.Optimizer],
    *,
    scheduler: Any = None,
    loss: torch.Tensor | None = None,
    total_steps: int | None = None,
    accum_steps: int = 1,
    steps_per_epoch: int | None = None,
    patterns: Iterable[str] = (),
    no_decay: Iterable[str] = DEFAULT_NO_DECAY,
    decay_embeddings: bool = False,
    tau_band: tuple[float, float] = DEFAULT_TAU_BAND,
    allow_meta: bool = False,
) -> Report:
    """Audit how `optimizer` trains `model`; return a `Report` of SG101-SG105 (and SG205) findings.

    Arguments:
        model: the module being trained (torch.compile / DDP / DataParallel wrappers are looked
            through; names are the inner model's).
        optimizer: a torch optimizer (accelerate / Lightning wrappers are unwrapped), or a list
            of the optimizers that together train the model (``[muon, adamw]``); groups are
            then named "optimizer k (Class) group i" and findings' data carry ``"optimizer": k``.
        scheduler: the learning-rate scheduler, for SG205. It must drive `optimizer` (one of
            them): a scheduler built for another optimizer is an error.
        loss: a scalar loss tensor whose graph is still alive (before ``backward()``), for SG103.
            Its graph is only read, never re-run or freed.
        total_steps: the run's length in *optimizer* steps (``ceil(batches / accum_steps) *
            epochs``), for SG105 and SG205.
        accum_steps: micro-batches per optimizer step. Used only by SG205: a schedule sized for
            about ``accum_steps * total_steps`` steps was counted in micro-batches.
        steps_per_epoch: optimizer steps per epoch; only used to state timescales in epochs.
        patterns: passed to `classify` (name patterns that should not decay), for SG102.
        no_decay: passed to `classify` (the categories that should not decay), for SG102.
        decay_embeddings: passed to `classify` (whether embeddings decay), for SG102.
        tau_band: SG105's band ``(low, high)`` as fractions of ``total_steps``; ``high`` may be
            ``math.inf`` (no info side).
        allow_meta: audit a model whose parameters are on the meta device (structure only).

    SG105 band and source. AdamW's weights are an exponential moving average of recent updates
    with timescale ``tau = 1 / (lr * wd)`` optimizer steps (Wang & Aitchison, "How to set AdamW's
    weight decay as you scale model and dataset size", ICML 2025, arXiv:2405.13698); their guideline
    is that tau should not be much shorter than one epoch nor much longer than the whole run.
    stepguard flags ``tau < 0.01 * total_steps`` (WARNING: the weights average over the last 1 %
    of the run and forget the rest) and ``tau > 10 * total_steps`` (INFO: decay shrinks the weights
    by less than ``1 - exp(-0.1)`` = 9.5 % over the run, i.e. it does nothing measurable). ``lr``
    is the group's peak learning rate (``max_lr`` of OneCycleLR, else a scheduler's
    ``initial_lr``, else ``lr``); for SGD the rate is multiplied by ``(1 - dampening) /
    (1 - momentum)``. Groups flagged by SG101 have no such timescale and are skipped, and so are
    SGD groups with ``momentum >= 1`` or ``dampening >= 1`` (no steady state). The info side
    speaks only when its advice is sane: the weight decay for a timescale of a third of the run
    is at most 1.0 and decays at most 1e-3 per step (so runs shorter than 3,000 optimizer steps,
    where any usual decay is a near no-op, get no info). The fix is a
    `weight_decay_for_timescale` call whose printed value is what it returns.

    SG102 and SG104 do not double-report: SG102 names the misplaced tensors per group; SG104's
    empty-group finding is about the group (an explicit ``weight_decay=0`` group holding no
    tensors while no-decay tensors sit in decay groups: the filter that built it matched nothing)
    and refers to SG102 for the names. Without such an empty group only SG102 fires.

    Raises TypeError for a `model` that is not an ``nn.Module``, an `optimizer` that is not a
    torch optimizer, a `scheduler` that is not a scheduler object (a name such as ``"cos"``, a
    class), a `loss` that is not a tensor, ``patterns=None`` / ``no_decay=None``, a non-bool flag
    or a `tau_band` that is not a pair of numbers; ValueError for a model without trainable
    parameters, parameters on the meta device (unless ``allow_meta``), a `scheduler` that drives
    another optimizer, a param group whose ``lr`` / ``weight_decay`` is NaN, infinite or
    negative, a loss that is not a scalar or has no graph, and bad `total_steps` /
    `accum_steps` / `steps_per_epoch` / `tau_band`. All checks run before anything is read
    from the graph.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"audit() needs the model as a torch.nn.Module, got {type(model).__name__}; pass "
            "the model itself, not model.parameters() or a state_dict"
        )
    opts = _optimizers(optimizer)
    accum = _check_int(accum_steps, "accum_steps", minimum=1)
    total = None if total_steps is None else _check_int(total_steps, "total_steps", minimum=1)
    spe = (
        None
        if steps_per_epoch is None
        else _check_int(steps_per_epoch, "steps_per_epoch", minimum=1)
    )
    low, high = _check_band(tau_band)
    patterns = _check_patterns(patterns, "patterns")
    no_decay = _check_patterns(no_decay, "no_decay")
    _check_flag(decay_embeddings, "decay_embeddings")
    _check_flag(allow_meta, "allow_meta")
    if loss is not None:
        loss = _check_loss(loss)
    if scheduler is not None:
        scheduler = _check_scheduler(scheduler, opts)

    inner = unwrap(model)
    names: dict[int, list[str]] = {}
    params: dict[int, torch.Tensor] = {}
    for name, p in inner.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(clean_name(name))
        params[id(p)] = p
    trainable = [p for p in params.values() if p.requires_grad]
    if not trainable:
        raise ValueError(
            f"{type(inner).__name__} has no trainable parameters ({len(params)} tensors, all with "
            "requires_grad=False): there is nothing for the optimizer to train; unfreeze the "
            "parameters you mean to train (p.requires_grad_(True))"
        )
    meta = [names[id(p)][0] for p in params.values() if p.is_meta]
    if meta and not allow_meta:
        raise ValueError(
            f"{len(meta)} parameter(s) are on the meta device ({listing(meta, 3)}): they hold no "
            "data, so training would update nothing; materialise the model first "
            "(model.to_empty(device=...) and load or initialise the weights), or pass "
            "allow_meta=True to audit the structure only"
        )

    groups = []
    for k, opt in enumerate(opts):
        for i, raw in enumerate(opt.param_groups):
            several = len(opts) > 1
            label = f"optimizer {k} ({type(opt).__name__}) group {i}" if several else f"group {i}"
            lr_key = next((key for key in ("max_lr", "initial_lr") if key in raw), "lr")
            g = Group(
                index=i,
                label=label,
                where={"optimizer": k, "group": i} if several else {"group": i},
                opt=opt,
                weight_decay=_group_number(raw, "weight_decay", label),
                lr=_group_number(raw, lr_key, label),
                params=list(raw["params"]),
                raw=raw,
            )
            g.style, g.how = decay_style(opt, raw)
            g.names = [names[id(p)][0] if id(p) in names else "<not in model>" for p in g.params]
            groups.append(g)

    findings: list[Finding] = []
    findings += rules.coverage(params, names, groups)
    for opt in opts:
        findings += rules.coupled(opt, [g for g in groups if g.opt is opt])
    decisions = classify(
        model, patterns=patterns, no_decay=no_decay, decay_embeddings=decay_embeddings
    )
    misplaced = rules.misplaced(decisions, groups)
    findings += misplaced
    findings += rules.empty_no_decay_group(groups, sum(len(f.data["params"]) for f in misplaced))
    if loss is not None:
        penalties = {id(pen.param): pen.op for pen in find_penalties(loss)}
        findings += rules.double_regularization(penalties, groups, names)
    if total is not None:
        findings += rules.timescale(groups, total, spe, low, high)
    sched = None
    if scheduler is not None:
        sched = schedule_length(scheduler)
        if total is not None:
            findings += rules.schedule_counts_micro_batches(sched, total, accum)

    summary: dict[str, Any] = {
        "optimizer": ", ".join(type(o).__name__ for o in opts),
        "model tensors": len(params),
        "trainable tensors": len(trainable),
        "no-decay tensors (classify)": sum(not d.decay for d in decisions),
        "groups": [
            f"{g.label.removeprefix('group ')}: weight_decay={g.weight_decay:g} lr={g.lr:g} "
            f"tensors={len(g.params)}" + ("" if g.weight_decay == 0 else f" decay={g.style}")
            for g in groups
        ],
    }
    if loss is not None:
        summary["norm-penalised tensors (loss)"] = len(penalties)
    if total is not None:
        summary["total_steps"] = total
    if sched is not None:
        summary["schedule length"] = sched[0] if sched[0] is not None else f"unknown ({sched[1]})"
    return Report(findings, summary=summary, title=f"stepguard audit: {type(inner).__name__}")
