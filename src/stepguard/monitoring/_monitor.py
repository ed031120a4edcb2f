"""The runtime Monitor: catch optimizer-step pitfalls inside an unmodified training loop.

`Monitor(model, optimizer, ...)` attaches through hooks and scoped patches, watches the loop run,
and reports catalog findings with the step they first appeared at, plus per-step health
instruments. It never changes what the loop computes: it reads gradients and parameters, calls the
patched functions with the same arguments, and restores every patched object on `detach()`. It
stores nothing on the objects it watches (see `stepguard.monitoring._patch`): their
``state_dict()``, a pickle, ``torch.save`` or a ``copy.deepcopy`` of them taken while monitored
hold nothing of the Monitor, and a copy is a plain, independent object.

How it sees the loop
--------------------
* the process-wide patch of `torch.autograd.backward` reads the root of each loss's graph (the
  constant scale factors, the target count of a mean cross-entropy) and the line that called it;
  a call made from inside a running backward pass (reentrant activation checkpointing) belongs to
  that pass;
* a post-accumulate-grad hook on every trainable tensor tells which backward passes reached the
  watched parameters (a pass through the GAN's discriminator for the generator's loss reaches
  both networks);
* optimizer step pre/post hooks (torch's process-wide ones, dispatched to the watched optimizer)
  close an accumulation *window* (the backward passes between two optimizer steps); a GradScaler
  step that skipped `optimizer.step()` closes it too. Under ``optimizer.step(closure)`` (LBFGS,
  Lightning) the pre-hook wraps the closure: the step's readings are taken after its first call
  ran the backward, and later calls (LBFGS's re-evaluations) are not counted;
* the param groups' learning rates, read after each backward pass and at the step;
* the gradient-clipping functions (patched process-wide), and class-level patches, with a
  per-instance registry, of `optimizer.zero_grad` / `model.zero_grad`, of `scheduler.step`, of the
  GradScaler's `unscale_` / `step` and of a DDP model's `forward`.

Steps are numbered from 1 and count every optimizer step the loop attempted (GradScaler-skipped
steps included); findings seen inside a window carry the number of the step that closes it.
Attach-time audit findings carry step 0.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import torch
from torch import nn

from stepguard._unwrap import unwrap_optimizer, unwrap_scheduler
from stepguard.findings import Finding, Report
from stepguard.monitoring._checks import Issue, sg106_findings
from stepguard.monitoring._detect import DetectorState
from stepguard.monitoring._hooks import LoopHooks
from stepguard.monitoring._instruments import Instruments, ParamTable

__all__ = ["Monitor"]

_NAN = float("nan")


def _check_trainable(model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    params = list(model.parameters())
    if not any(p.requires_grad for p in params):
        raise ValueError(
            f"Monitor(model=...): {type(model).__name__} has no trainable parameters "
            f"({len(params)} tensors, none with requires_grad=True): there is no training to "
            "watch; pass the model the optimizer trains, with the parameters to train unfrozen"
        )
    owned = params + [p for g in optimizer.param_groups for p in g["params"]]
    if any(p.is_meta for p in owned):
        raise ValueError(
            "Monitor(model=...): parameters are on the meta device (they hold no data, so "
            "training would update nothing); materialise the model first "
            "(model.to_empty(device=...), then load or initialise the weights) and build the "
            "optimizer on the real parameters"
        )


@dataclass
class _Hit:
    code: str
    message: str
    step: int
    count: int = 1
    last_step: int = 0
    data: dict[str, Any] = field(default_factory=dict)


class Monitor:
    """Watch an unmodified training loop; report pitfalls (catalog codes) and health instruments.

    Use as ``with Monitor(model, optimizer, scheduler=..., scaler=...) as mon: <loop>`` or with
    `attach()` / `detach()`. Pass the scheduler and the GradScaler the loop uses: checks that
    involve them only run when they are given. Wrapped objects are unwrapped (an accelerate
    `AcceleratedOptimizer` / `AcceleratedScheduler`, a Lightning `LightningOptimizer`): the hooks
    and the ``optimizer`` / ``scheduler`` attributes are the torch objects inside.

    Windows, micro-batches, loss terms. A window's backward passes that come from the same line
    (``loss.backward()`` in the accumulation loop; through ``accelerator.backward`` or Lightning,
    the user's line that called it) are its micro-batches; passes from different lines before
    one step are terms of one loss (the DCGAN tutorial's ``errD_real.backward()`` and
    ``errD_fake.backward()``): one micro-batch, judged as a whole. A pass whose gradients another
    optimizer's step used before this optimizer's ``zero_grad`` cleared them (the generator's
    backward through the discriminator) is not one of this optimizer's micro-batches; watch each
    network with its own Monitor.

    Detections (on every watched window, from Python-side counters):

    * SG201 -- a window of k > 1 micro-batches in which no loss was scaled. The Monitor reads the
      root of each backward graph (the `torch.autograd.backward` call): it follows the loss's
      `grad_fn` through multiplications/divisions by one-element constants and shape/dtype-only
      nodes, multiplies those constants (the GradScaler's own scale tensor excluded) and the
      `gradient=` argument. A window fires when every backward pass had factor exactly 1.
      Limits: a scaling inside the loss function (``reduction="sum"`` then a division deep in the
      graph, or weights folded into the criterion) is not at the root and reads as unscaled; any
      constant factor counts as scaling (a loss term weighted ``0.1 * aux`` too), so dividing by
      the wrong k is not caught; a constant on an accelerator is not read (no sync) and counts as
      scaling; a GradScaler not passed to the Monitor reads as a scaling; a backward pass that
      does not go through `torch.autograd.backward` (or `Tensor.backward`) is not judged.
    * SG202 -- in a window of k > 1 micro-batches, more than one `scheduler.step()`, or the
      learning rate of the param groups changed more than once (read after each backward pass
      and at the step): whoever sets it, a scheduler not given to the Monitor or a hand-written
      ``g["lr"] = get_lr(it)``. Once per optimizer step is correct and silent. A schedule that
      does not change the value (a constant phase) is seen only through ``scheduler=``.
    * SG203 -- a gradient-clipping call followed by another backward pass in the same window.
    * SG204 -- a clipping call after a backward pass while the GradScaler (enabled) has not
      unscaled this optimizer's gradients (`scaler.unscale_` not yet called in this window).
    * SG205 -- at detach: the scheduler's length (read as the audit does, `stepguard.schedule_length`)
      is within one usual window of the number of micro-batches of the run and less than half
      as far from it as from the number of optimizer steps, while the scheduler stepped once per
      optimizer step (so it only fires once a whole run was watched).
    * SG206 -- against the usual window size u (the size seen most often, at least twice): a
      window longer than u (an epoch's leftover micro-batches leaked into the next step), a
      shorter window whose losses were all scaled by exactly 1/u, or, at detach, an unfinished
      shorter window (its gradients never reached a step).
    * SG207 -- a window of k > 1 backward passes of one loss term whose losses are all
      mean-reduced `cross_entropy`/`nll_loss` (read at the root, after the constant factors)
      scaled by the same constant, over micro-batches with unequal counted targets (the loss's
      saved ``total_weight``; targets equal to ``ignore_index`` do not count): a mean of
      per-micro-batch means, not the window's token mean. On CPU judged when the window closes;
      on an accelerator the counts stay on the device and are judged when `findings` is read.
    * SG208 -- a DistributedDataParallel model all of whose backward passes in a window of k > 1
      micro-batches were set to all-reduce (`require_backward_grad_sync` true at the forward,
      which is when DDP decides).
    * SG209 -- BatchNorm layers (not SyncBatchNorm) in train mode in a window with k > 1.
    * SG210 -- `optimizer.zero_grad()` / `model.zero_grad()` after a backward pass of a window
      (one no other optimizer's step used), followed by another backward pass before the step.
    * SG211 -- `scheduler.step()` after a GradScaler-skipped step and before the next backward.
    * SG103 -- the first backward pass's graph (read once, with the audit's analysis,
      `stepguard.auditing._penalties`) adds a norm penalty (``p.pow(2).sum()``, ``p.norm()``, ...)
      on tensors of a ``weight_decay > 0`` group. Later passes cost nothing for it.
    * SG106 -- a parameter in a group with ``weight_decay > 0`` whose gradient was present and
      all-zero on every instrumented step (at least two).
    * SG1xx -- `stepguard.audit.audit(model, optimizer, scheduler=...)` at attach (``audit=True``).

    Sampling (``every=N``): the windows of steps 1, 1+N, 1+2N, ... are *watched* (all of the
    above, and a `history` row); between them the tensor hooks are removed and a backward call, a
    scheduler step or an optimizer step only increments a counter: no tensor work. From those
    counts the checks that need no reading still run on every window (SG206's longer window,
    SG211, SG205 at the end), as long as the watched windows showed one backward call per
    micro-batch (not so on a GAN: its other windows are then not judged).

    Instruments (one `history` row per watched step): ``step``, ``micro_batches`` (in the
    window), ``backward_passes`` (in the window; loss terms and micro-batches),
    ``skipped`` (GradScaler skipped it), ``skipped_steps`` (so far), ``scheduler_steps`` (in the
    window), ``lr_group<i>``, ``grad_norm`` (the total norm the window's last `clip_grad_norm_`
    measured, before clipping; without clipping the global L2 norm at `optimizer.step()`),
    ``clipped`` (that call clipped: 1/0, NaN without a call), ``clip_rate`` (clipping calls that
    clipped / all calls so far, in watched windows), ``scale`` (GradScaler scale used by the
    step), ``norm_weight_mean_abs`` and ``bias_mean_abs`` (mean |value| over all
    normalization-layer weights / all biases), ``update_ratio_group<i>`` (``||w_after -
    w_before|| / ||w_after||`` over the group; needs ``update_ratio=True``, which keeps one copy
    of the parameters).

    Cost: per backward pass of a watched window one Python hook call per tensor, a walk over a
    few nodes at the root of the loss's graph and a few frame reads; per watched step one
    `_foreach_norm` over the gradients, one parameter copy and two `_foreach_norm`s for the
    update ratio; in other windows a counter per call. Values stay on the device until
    `history` (or `log`) reads them: no host sync during training unless ``log`` is given (then
    one per instrumented step).

    `on_finding(finding)` is called the first time each finding appears; `log(row)` with each
    history row as it is recorded. `state` holds the live counters (`state.step`: optimizer steps
    so far, `state.bw`: backward passes in the open window), read-only.

    Args:
        model: the module being trained (a DDP or ``torch.compile`` wrapper as the loop uses it).
        optimizer: the torch optimizer that trains it (accelerate / Lightning wrappers are
            unwrapped).
        scheduler: the LR scheduler the loop steps, for SG202 (its calls), SG205 and SG211.
        scaler: the `torch.amp.GradScaler` the loop uses, for SG204, SG211 and ``scale``.
        every: watch and instrument every N-th optimizer step (1: all of them).
        audit: run `stepguard.audit.audit` at attach (findings at step 0).
        update_ratio: record ``update_ratio_group<i>`` (keeps one copy of the parameters).
        on_finding: called with each finding the first time it appears.
        log: called with each `history` row as it is recorded.
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        *,
        scheduler: Any = None,
        scaler: Any = None,
        every: int = 1,
        audit: bool = True,
        update_ratio: bool = True,
        on_finding: Callable[[Finding], None] | None = None,
        log: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(
                f"Monitor(model=...) needs a torch.nn.Module, got {type(model).__name__}"
            )
        # Hooks go on the torch optimizer inside accelerate's / Lightning's wrapper (the wrapper
        # has no hooks), and the scheduler counted is the one inside accelerate's wrapper (which
        # is called on every micro-batch but advances only on optimizer steps).
        optimizer = unwrap_optimizer(optimizer, "Monitor(optimizer=...)")
        scheduler = unwrap_scheduler(scheduler)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"Monitor(every=...) must be a positive int (watch every N-th optimizer step in "
                f"full), got {every!r}; every=1 watches every step"
            )
        if scheduler is not None and not callable(getattr(scheduler, "step", None)):
            raise TypeError(
                f"Monitor(scheduler=...) needs a torch LR scheduler (an object with a step() "
                f"method), got {type(scheduler).__name__}; pass the scheduler object or leave "
                "it out"
            )
        if scaler is not None and not all(
            callable(getattr(scaler, m, None)) for m in ("step", "unscale_", "is_enabled")
        ):
            raise TypeError(
                "Monitor(scaler=...) needs a torch.amp.GradScaler (step, unscale_, is_enabled), "
                f"got {type(scaler).__name__}; pass the GradScaler the loop uses or leave it out"
            )
        for name, fn in (("on_finding", on_finding), ("log", log)):
            if fn is not None and not callable(fn):
                raise TypeError(
                    f"Monitor({name}=...) must be callable, got {type(fn).__name__}; pass a "
                    "function (e.g. print or list.append)"
                )
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.scaler = scaler
        self.every = every
        self.audit = audit
        self.update_ratio = update_ratio
        self.on_finding = on_finding
        self.log = log
        self._attached = False
        self._hooks: LoopHooks | None = None
        self._hits: dict[str, _Hit] = {}
        self._audit_findings: list[Finding] = []
        self._rows: list[dict[str, Any]] = []
        self._pending: list[tuple[dict[str, Any], list[str], torch.Tensor]] = []
        self.state = DetectorState()
        self._instruments: Instruments | None = None

    # ---- attaching -------------------------------------------------------------------------

    def attach(self) -> Monitor:
        """Run the attach-time audit, then install the hooks. Returns self.

        Raises ValueError, before anything is installed, for a Monitor already attached, a model
        without trainable parameters, or parameters on the meta device. If installing fails
        half-way, what was installed is removed again before the error propagates.
        """
        if self._attached:
            raise ValueError("this Monitor is already attached; detach() it first")
        model, opt = self.model, self.optimizer
        _check_trainable(model, opt)
        if self.audit:
            self._run_audit()
        t = ParamTable.build(model, opt)
        instruments = self._instruments = Instruments(t, self.update_ratio)
        self._bns = [
            (name, m)
            for name, m in model.named_modules()
            if isinstance(m, nn.modules.batchnorm._BatchNorm)
            and not isinstance(m, nn.SyncBatchNorm)
        ]
        self._ddp = isinstance(model, nn.parallel.DistributedDataParallel)
        self._hooks = LoopHooks(
            self.state,
            model,
            opt,
            t,
            self.scheduler,
            self.scaler,
            self.every,
            report=self._report,
            close_window=self._close_window,
            begin_step=instruments.forget,
            measure=lambda: instruments.measure(self.state.step + 1),
        )
        self._hooks.install()
        self._attached = True
        return self

    def detach(self, *, end_of_run: bool = True) -> None:
        """Remove every hook and restore every patched object exactly. Idempotent.

        With `end_of_run` (the default; leaving a ``with`` block without an exception) the
        end-of-run checks run first: SG206 for an unfinished partial window, SG205 for a schedule
        sized in micro-batches. Pass ``end_of_run=False`` to pause watching mid-run.
        """
        if not self._attached or self._hooks is None:
            return
        try:
            if end_of_run:
                for issue, step in self.state.end_of_run(self._schedule_length()):
                    self._report(issue, step)
        finally:  # an on_finding callback that raises must not leave anything installed
            stuck = self._hooks.remove()
            if self._instruments is not None:
                self._instruments.release()
            self._attached = False
        if stuck:
            warnings.warn(
                f"Monitor.detach: {', '.join(stuck)} was replaced again by other code after the "
                "Monitor attached; it is left in place (the Monitor's layer under it passes "
                "every call through)",
                RuntimeWarning,
                stacklevel=2,
            )

    def __enter__(self) -> Monitor:
        return self.attach()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.detach(end_of_run=exc_type is None)

    def _schedule_length(self) -> int | None:
        if self.scheduler is None:
            return None
        try:
            from stepguard.auditing import schedule_length
        except ImportError:  # shared with the audit; optional for the Monitor
            return None
        return schedule_length(self.scheduler)[0]

    def _run_audit(self) -> None:
        try:
            from stepguard.auditing._audit import audit
        except ImportError:  # the audit module is optional for the Monitor
            return
        rep = audit(self.model, self.optimizer, scheduler=self.scheduler)
        for f in rep.findings:
            f0 = Finding(
                code=f.code,
                message=f.message,
                severity=f.severity,
                fix=f.fix,
                step=0,
                count=1,
                data=dict(f.data),
            )
            self._audit_findings.append(f0)
            if self.on_finding is not None:
                self.on_finding(f0)

    # ---- findings --------------------------------------------------------------------------

    def _report(self, issue: Issue, step: int) -> None:
        self._hit(issue.code, issue.message, step, **issue.data)

    def _hit(self, code: str, message: str, step: int, key: str = "", **data: Any) -> None:
        k = code + key
        h = self._hits.get(k)
        if h is not None:
            if h.last_step != step:
                h.count += 1
                h.last_step = step
            return
        self._hits[k] = _Hit(code, message, step, 1, step, dict(data))
        if self.on_finding is not None:
            self.on_finding(Finding(code, message, step=step, data=data))

    @property
    def findings(self) -> list[Finding]:
        """Every finding so far: attach-time audit findings (step 0), then by first step."""
        pending = self.state.take_deferred_counts()
        if pending:  # SG207 windows on an accelerator: read all their counts with one copy
            flat = torch.cat([c for _, c in pending]).tolist()
            i = 0
            for step, c in pending:
                for issue in self.state.judge_counts(flat[i : i + len(c)]):
                    self._report(issue, step)
                i += len(c)
        out = list(self._audit_findings)
        hits = sorted(self._hits.values(), key=lambda h: h.step)
        out += [Finding(h.code, h.message, step=h.step, count=h.count, data=h.data) for h in hits]
        ins = self._instruments
        if ins is not None:
            out += sg106_findings(ins.table, ins.zero_count, ins.seen_count, ins.first_step)
        return out

    # ---- optimizer step (its hooks: stepguard.monitoring._hooks) ------------------------------

    def _close_window(self, skipped: bool) -> None:
        s = self.state
        bn_training = [n for n, m in self._bns if m.training] if s.window.watched else []
        watched = s.window.watched
        for issue in s.close_window(self._ddp, bn_training):
            self._report(issue, s.step)
        if watched:
            self._record(skipped)

    def _record(self, skipped: bool) -> None:
        s, ins = self.state, self._instruments
        assert ins is not None  # hooks exist only while attached
        win = s.window
        meta: dict[str, Any] = {
            "step": s.step,
            "micro_batches": win.micro_batches(),
            "backward_passes": len(win.passes),
            "skipped": int(skipped),
            "skipped_steps": s.skipped_steps,
            "scheduler_steps": win.sched,
        }
        lrs: dict[str, torch.Tensor] = {}
        for gi, g in enumerate(self.optimizer.param_groups):
            lr = g.get("lr", _NAN)
            if isinstance(lr, torch.Tensor):
                lrs[f"lr_group{gi}"] = lr.detach()
            else:
                meta[f"lr_group{gi}"] = float(lr)
        rate = s.clip_hits / s.clip_calls if s.clip_hits is not None else None
        keys, packed = ins.readings(
            lrs,
            clip_norm=win.last_clip_norm,
            clip_hit=win.last_clip_hit,
            clip_rate=rate,
            scale=win.scale_at_step,
            has_scaler=self.scaler is not None,
            skipped=skipped,
        )
        self._pending.append((meta, keys, packed))
        if self.log is not None:
            self.log(dict(self.history[-1]))

    # ---- outputs ---------------------------------------------------------------------------

    @property
    def history(self) -> list[dict[str, Any]]:
        """One dict per instrumented step (keys: see the class docstring). Reads pending values
        from the device with one copy."""
        if self._pending:
            flat = torch.cat([p for _, _, p in self._pending]).tolist()
            i = 0
            for meta, keys, _ in self._pending:
                row = dict(meta)
                for k in keys:
                    row[k] = flat[i]
                    i += 1
                self._rows.append(row)
            self._pending = []
        return self._rows

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write `history` to `path` as CSV (one column per key, in first-seen order)."""
        from stepguard.monitoring._output import write_csv

        write_csv(self.history, path)

    def plot(self, path: str | os.PathLike[str]) -> None:
        """Draw the main curves of `history` into an image at `path` (needs matplotlib:
        ``pip install stepguard[plot]``)."""
        from stepguard.monitoring._output import plot_history

        plot_history(self.history, path)

    def report(self) -> Report:
        """A `Report`: every finding with its first step and count, and a summary of the
        instruments (see `stepguard.monitoring._output.summarize`)."""
        from stepguard.monitoring._output import summarize

        summary = summarize(self.history, self.state)
        return Report(self.findings, summary=summary, title="stepguard monitor report")
