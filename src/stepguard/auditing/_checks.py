"""The audit's rules: each turns the gathered model/optimizer facts into catalog findings.

`stepguard.audit.audit` gathers the facts (one `Group` per optimizer param group, the model's
parameter names, `classify`'s decisions, the loss's penalties, the schedule length) and calls one
function per rule here. Each function returns a list of `Finding`s and documents when it fires.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.nn.parameter import is_lazy

from stepguard.auditing._decay_style import sgd_effective_lr
from stepguard.auditing._timescale import decay_timescale, weight_decay_for_timescale
from stepguard.findings import Finding, Severity

_SHOW = 5  # names shown in a message; `data` holds all of them


@dataclass
class Group:
    """One optimizer param group, as the rules see it."""

    index: int
    label: str  # "group 1", or "optimizer 0 (Muon) group 1" when several optimizers
    where: dict[str, int]  # {"group": i} (+ "optimizer": k) for a finding's data
    opt: torch.optim.Optimizer
    weight_decay: float
    lr: float
    params: list[torch.Tensor]
    style: str = ""
    how: str = ""
    names: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def listing(names: Sequence[str], show: int = _SHOW) -> str:
    """The first `show` names, comma-separated, then how many more there are."""
    head = ", ".join(names[:show])
    return head + (f", ... and {len(names) - show} more" if len(names) > show else "")


def _numel(p: torch.Tensor) -> int:
    return 0 if is_lazy(p) else p.numel()  # a LazyModule's tensor has no size before its forward


def _shape(p: torch.Tensor) -> list[int] | str:
    return "uninitialized" if is_lazy(p) else list(p.shape)


def coverage(
    params: dict[int, torch.Tensor], names: dict[int, list[str]], groups: list[Group]
) -> list[Finding]:
    """SG104: missing trainable tensors, frozen ones inside, foreign ones, ones held twice."""
    held: dict[int, list[Group]] = {}
    for g in groups:
        for p in g.params:
            held.setdefault(id(p), []).append(g)
    out = []
    missing = [p for i, p in params.items() if p.requires_grad and i not in held]
    if missing:
        miss = [names[id(p)][0] for p in missing]
        numel = sum(_numel(p) for p in missing)
        out.append(
            Finding(
                "SG104",
                f"{len(miss)} trainable tensor(s) ({numel:,} elements) are in no optimizer group "
                f"and will never change: {listing(miss)}",
                data={"kind": "missing", "params": miss, "numel": numel},
            )
        )
    frozen = [
        (names[i][0], held[i][0]) for i, p in params.items() if not p.requires_grad and i in held
    ]
    if frozen:
        out.append(
            Finding(
                "SG104",
                f"{len(frozen)} frozen tensor(s) (requires_grad=False) are inside the optimizer: "
                f"{listing([f'{n} ({g.label})' for n, g in frozen])}; whenever they hold a "
                ".grad they are still decayed and updated, and they cost optimizer state",
                data={"kind": "frozen", "params": [{"name": n, **g.where} for n, g in frozen]},
            )
        )
    foreign = [(g, p) for g in groups for p in g.params if id(p) not in params]
    if foreign:
        shapes = [f"{_shape(p)} ({g.label})" for g, p in foreign]
        out.append(
            Finding(
                "SG104",
                f"{len(foreign)} optimizer tensor(s) are not parameters of this model: "
                f"{listing(shapes)}; the optimizer was built for another model instance (the "
                "model was rebuilt, copied or reloaded after the optimizer was created)",
                data={
                    "kind": "foreign",
                    "params": [{**g.where, "shape": _shape(p)} for g, p in foreign],
                },
            )
        )
    twice = [(i, gs) for i, gs in held.items() if len(gs) > 1]
    if twice:
        rows = [
            (names[i][0] if i in names else "<not in model>", " and ".join(g.label for g in gs))
            for i, gs in twice
        ]
        out.append(
            Finding(
                "SG104",
                f"{len(rows)} tensor(s) are held by two optimizers and updated twice per step: "
                f"{listing([f'{n} ({w})' for n, w in rows])}",
                data={"kind": "duplicate", "params": [{"name": n, "in": w} for n, w in rows]},
            )
        )
    return out


def coupled(opt: torch.optim.Optimizer, groups: list[Group]) -> list[Finding]:
    """SG101: one finding naming every group whose decay goes through the adaptive moments."""
    bad = [g for g in groups if g.weight_decay > 0 and g.style == "coupled"]
    if not bad:
        return []
    name = type(opt).__name__
    where = ", ".join(
        f"{g.label} (weight_decay={g.weight_decay:g}, {len(g.params)} tensors)" for g in bad
    )
    fix = None
    if isinstance(opt, (torch.optim.NAdam, torch.optim.RAdam)) or (
        isinstance(opt, torch.optim.Adam) and "decoupled_weight_decay" in opt.defaults
    ):
        qual = f"torch.optim.{name}" if type(opt).__module__.startswith("torch.optim") else name
        fix = f"{qual}(param_groups(model, weight_decay=wd), lr=lr, decoupled_weight_decay=True)"
        if type(opt) is torch.optim.Adam:
            fix = "torch.optim.AdamW(param_groups(model, weight_decay=wd), lr=lr)"
    return [
        Finding(
            "SG101",
            f"{bad[0].how}, so the decay passes through the adaptive moments: {where}",
            fix=fix,
            data={
                "optimizer": name,
                "recognised": bad[0].how,
                "groups": [
                    {**g.where, "weight_decay": g.weight_decay, "params": len(g.params)}
                    for g in bad
                ],
            },
        )
    ]


def misplaced(decisions: list[Any], groups: list[Group]) -> list[Finding]:
    """SG102: per decaying group, the tensors `classify` says should not decay."""
    by_id = {id(d.param): d for d in decisions}
    out = []
    for g in groups:
        if g.weight_decay <= 0:
            continue
        wrong = [by_id[id(p)] for p in g.params if id(p) in by_id and not by_id[id(p)].decay]
        if not wrong:
            continue
        reasons = Counter(d.reason for d in wrong)
        counts = ", ".join(f"{r} {n}" for r, n in reasons.most_common())
        shown = [f"{d.name} ({d.reason})" for d in wrong]
        out.append(
            Finding(
                "SG102",
                f"{g.label} (weight_decay={g.weight_decay:g}) decays {len(wrong)} tensor(s) "
                f"that should not decay ({counts}): {listing(shown)}",
                data={
                    **g.where,
                    "weight_decay": g.weight_decay,
                    "by_reason": dict(reasons),
                    "params": [
                        {"name": d.name, "reason": d.reason, "detail": d.detail} for d in wrong
                    ],
                },
            )
        )
    return out


def empty_no_decay_group(groups: list[Group], misplaced: int) -> list[Finding]:
    """SG104: an explicit weight_decay=0 group with no tensors while no-decay tensors decay."""
    empty = [g for g in groups if g.weight_decay == 0 and not g.params]
    if not empty or misplaced == 0 or not any(g.weight_decay > 0 for g in groups):
        return []
    idx = ", ".join(g.label for g in empty)
    return [
        Finding(
            "SG104",
            f"no-decay {idx} (weight_decay=0) holds no tensors while {misplaced} no-decay "
            "tensor(s) sit in decay groups (named under SG102): the filter that built the "
            "no-decay group matched nothing",
            data={"kind": "empty-no-decay-group", "groups": [g.label for g in empty]},
        )
    ]


def double_regularization(
    penalties: dict[int, str], groups: list[Group], names: dict[int, list[str]]
) -> list[Finding]:
    """SG103: parameters the loss penalises by their norm while their group decays them."""
    both = [(g, p) for g in groups if g.weight_decay > 0 for p in g.params if id(p) in penalties]
    if not both:
        return []
    label = [names[id(p)][0] if id(p) in names else "<not in model>" for _, p in both]
    ops = ", ".join(sorted({penalties[id(p)] for _, p in both}))
    gidx = ", ".join(dict.fromkeys(g.label for g, _ in both))
    rows = [
        {
            "name": name,
            **g.where,
            "weight_decay": g.weight_decay,
            "penalty": penalties[id(p)],
        }
        for name, (g, p) in zip(label, both, strict=True)
    ]
    return [
        Finding(
            "SG103",
            f"the loss adds a norm penalty ({ops}) on {len(rows)} tensor(s) that the optimizer "
            f"also decays ({gidx}): {listing(label)}",
            data={"params": rows, "penalised_total": len(penalties)},
        )
    ]


# SG105's info side advises *more* decay; it speaks only when that advice is one a practitioner
# would take. A short run (a toy, a smoke test, a short fine-tune) barely decays whatever wd is,
# and the decay that would make its timescale a third of the run (`weight_decay = 50`) is not a
# setting anyone uses: there the long timescale is expected, not a finding.
MAX_ADVISED_RATE = 1e-3  # per-step decay lr * wd of the advice: runs of >= 3,000 optimizer steps
MAX_ADVISED_WEIGHT_DECAY = 1.0  # the advised weight decay itself (torch convention)


def timescale_advice(g: Group, tau_steps: int) -> tuple[float, str] | None:
    """``(weight_decay, advice)`` giving `g` the timescale `tau_steps`; None without a timescale.

    The advice is a call of `stepguard.weight_decay_for_timescale` whose printed value is what
    the call returns: for SGD with momentum its ``lr`` argument is the expression of the rate
    that multiplies the decay (``0.1 / (1 - 0.9)``), evaluated the same way here.
    """
    if g.style == "sgd":
        rate, lr_text = sgd_effective_lr(g.lr, g.raw)
    else:
        rate, lr_text = g.lr, repr(g.lr)
    if not (math.isfinite(rate) and rate > 0):
        return None  # momentum >= 1 or dampening >= 1: the decay has no steady-state timescale
    wd = weight_decay_for_timescale(tau_steps, rate)
    call = f"weight_decay_for_timescale(tau_steps={tau_steps}, lr={lr_text})"
    return wd, f"weight_decay = {call}  # = {wd:.3g}"


def timescale(
    groups: list[Group], total: int, spe: int | None, low: float, high: float
) -> list[Finding]:
    """SG105: the decay timescale of each decaying group against the run length.

    WARNING when ``tau < low * total``; INFO when ``tau > high * total`` and the advised decay
    (timescale a third of the run) is sane: at most `MAX_ADVISED_WEIGHT_DECAY`, with a per-step
    rate of at most `MAX_ADVISED_RATE`. Groups whose decay has no timescale are skipped: coupled
    ones (SG101), ``lr == 0``, SGD with ``momentum >= 1`` or ``dampening >= 1``.
    """
    out = []
    target = max(1, round(total / 3))
    for g in groups:
        if g.weight_decay <= 0 or g.style == "coupled" or g.lr <= 0:
            continue
        advice = timescale_advice(g, target)
        if advice is None:
            continue
        suggest, fix = advice
        rate = sgd_effective_lr(g.lr, g.raw)[0] if g.style == "sgd" else g.lr
        tau = decay_timescale(rate, g.weight_decay)
        ratio = tau / total
        if low <= ratio <= high:
            continue
        if ratio > high and (1 / target > MAX_ADVISED_RATE or suggest > MAX_ADVISED_WEIGHT_DECAY):
            continue
        in_epochs = f" ({tau / spe:.3g} epochs)" if spe else ""
        momentum = f" x {rate / g.lr:.3g} from momentum" if rate != g.lr else ""
        head = (
            f"{g.label}: decay timescale 1/(lr*wd) = {tau:,.0f} optimizer steps{in_epochs} "
            f"at lr={g.lr:g}{momentum}, weight_decay={g.weight_decay:g}"
        )
        if ratio < low:
            msg = (
                f"{head} is {1 / ratio:.3g}x shorter than the run ({total:,} steps): the weights "
                f"average only the last {100 * ratio:.2g}% of training and forget the rest"
            )
            severity = Severity.WARNING
        else:
            shrink = 1 - math.exp(-1 / ratio)
            msg = (
                f"{head} is {ratio:.3g}x the run ({total:,} steps): decay shrinks the weights by "
                f"at most {100 * shrink:.2g}% over the whole run, i.e. it does nothing measurable"
            )
            severity = Severity.INFO
        out.append(
            Finding(
                "SG105",
                msg,
                severity=severity,
                fix=fix,
                data={
                    **g.where,
                    "tau_steps": tau,
                    "total_steps": total,
                    "ratio": ratio,
                    "band": [low, high],
                    "suggested_tau_steps": target,
                    "suggested_weight_decay": suggest,
                },
            )
        )
    return out


def schedule_counts_micro_batches(
    sched: tuple[int | None, str], total: int, accum: int
) -> list[Finding]:
    """SG205: a schedule sized for (about) accum_steps times the run's optimizer steps."""
    length, source = sched
    if length is None or accum <= 1:
        return []
    ratio = length / total
    if ratio < max(1.5, accum / 2):
        return []
    return [
        Finding(
            "SG205",
            f"the schedule is sized for {length:,} steps ({source}) but the run has {total:,} "
            f"optimizer steps ({ratio:.3g}x; accum_steps={accum}): it was counted in "
            f"micro-batches, so the run ends {100 / ratio:.3g}% of the way through the schedule, "
            "before the learning rate has decayed",
            data={"schedule_steps": length, "total_steps": total, "accum_steps": accum},
        )
    ]
