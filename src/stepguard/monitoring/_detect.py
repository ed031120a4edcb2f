"""The Monitor's detection logic: Python-side counters per accumulation window, no tensor reads.

A *window* is the run of backward passes between two optimizer steps (a GradScaler-skipped step
ends a window too); the *usual* window size is the one seen most often (at least twice), which
SG206 compares each window with. `DetectorState` counts what happened inside the current window (backward
passes, scheduler steps, clipping calls and when they came, zeroing, DDP syncs, loss scale
factors) and turns it into catalog findings when the window closes.

It owns its events: the hooks (`stepguard.monitoring._hooks.LoopHooks`) call one method per thing
they saw (`loss_seen`, `begin_backward`, `end_backward`, `clipped`, `scheduler_stepped`,
`zero_grad_called`, `optimizer_stepped`, `close_window`, ...) and never write its fields; the
methods that can produce findings return them as (code, message) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from stepguard.findings import Finding
from stepguard.monitoring._instruments import ParamTable

__all__ = ["DetectorState", "sg106_findings", "token_mean_issue"]


class _Unseen:
    def __repr__(self) -> str:
        return "UNSEEN"


Issue = tuple[str, str]


class DetectorState:
    """Counters for the detections; `close_window` / `end_backward` return (code, message) pairs."""

    UNSEEN: Any = _Unseen()  # a backward pass that did not go through torch.autograd.backward

    def __init__(self) -> None:
        self.step = 0  # closed windows = attempted optimizer steps
        self.opt_steps = 0  # optimizer.step() calls that ran
        self.skipped_steps = 0
        self.bw_total = 0
        self.sched_total = 0
        self.clip_calls = 0
        self.clip_hits: torch.Tensor | None = None
        self.bw_open = False
        self.pending_factor: Any = self.UNSEEN
        self.pending_items: torch.Tensor | None = None
        self.ddp_sync_next = False
        self.skip_pending = False
        self.deferred_counts: list[tuple[int, torch.Tensor]] = []  # SG207 on accelerators
        self.sizes: dict[int, int] = {}  # window size -> how many windows had it
        self.active = False  # attached: wrappers left behind after detach only pass through
        self.reset_window()

    def reset_window(self) -> None:
        """Forget everything about the window that just closed."""
        self.bw = 0
        self.sched = 0
        self.clip_at: list[int] = []
        self.factors: list[Any] = []
        self.items: list[torch.Tensor | None] = []
        self.synced = 0
        self.zeroed_after: int | None = None
        self.zero_reported = False
        self.unscaled = False
        self.last_clip_norm: torch.Tensor | None = None
        self.last_clip_hit: torch.Tensor | None = None
        self.scale_at_step: torch.Tensor | None = None

    # ---- events (called by the hooks) ------------------------------------------------------

    def start(self) -> None:
        """The Monitor attached: count from now on."""
        self.active = True

    def stop(self) -> None:
        """The Monitor detached: wrappers left behind only pass through."""
        self.active = False

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Count nothing inside (a step's closure re-evaluated by LBFGS)."""
        was, self.active = self.active, False
        try:
            yield
        finally:
            self.active = was

    def zero_grad_called(self) -> None:
        """`optimizer.zero_grad()` / `model.zero_grad()` ran."""
        if self.active and self.bw > 0 and self.zeroed_after is None:
            self.zeroed_after = self.bw

    def ddp_forward(self, sync: bool) -> None:
        """A DDP forward ran; `sync`: DDP will all-reduce in the backward pass it prepares."""
        self.ddp_sync_next = sync

    def loss_seen(self, factor: Any, items: torch.Tensor | None = None) -> None:
        """`torch.autograd.backward` was called on a loss scaled by `factor` (None: unknown)."""
        self.pending_factor = factor
        self.pending_items = items

    def loss_done(self) -> None:
        """That `torch.autograd.backward` call returned."""
        self.pending_factor = self.UNSEEN
        self.pending_items = None

    def begin_backward(self) -> bool:
        """A gradient reached the model; True when it opens a backward pass (then the caller
        arranges for `end_backward` to run when that pass ends)."""
        if self.bw_open:
            return False
        self.bw_open = True
        return True

    def clipped(self, max_norm: float | None, total: Any, scaler_enabled: bool) -> list[Issue]:
        """A gradient-clipping call on the watched parameters (`total`: the norm it measured)."""
        self.clip_at.append(self.bw)
        out: list[Issue] = []
        if scaler_enabled and self.bw > 0 and not self.unscaled:
            out.append(
                (
                    "SG204",
                    "gradients were clipped while still multiplied by the GradScaler's scale "
                    "(scaler.unscale_(optimizer) was not called before clipping)",
                )
            )
        if max_norm is not None and isinstance(total, torch.Tensor):
            total = total.detach()
            hit = (total + 1e-6 > max_norm).float()  # exactly when torch's clip coef is < 1
            self.clip_calls += 1
            self.clip_hits = hit if self.clip_hits is None else self.clip_hits + hit
            self.last_clip_norm, self.last_clip_hit = total, hit
        return out

    def scheduler_stepped(self) -> list[Issue]:
        """`scheduler.step()` was called."""
        self.sched += 1
        self.sched_total += 1
        if not self.skip_pending:
            return []
        self.skip_pending = False
        return [
            (
                "SG211",
                f"scheduler.step() ran after the GradScaler skipped optimizer step {self.step}",
            )
        ]

    def grads_unscaled(self) -> None:
        """`scaler.unscale_(optimizer)` ran for the watched optimizer."""
        self.unscaled = True

    def scaler_stepping(self, scale: torch.Tensor | None) -> None:
        """`scaler.step(optimizer)` starts; `scale` (a copy) is the scale it uses, if recorded."""
        self.scale_at_step = scale

    def optimizer_stepped(self) -> None:
        """`optimizer.step()` ran (its post-hook); the window is closed next."""
        self.opt_steps += 1

    def step_skipped(self) -> None:
        """The GradScaler skipped `optimizer.step()` (inf/nan gradients); its window closes next."""
        self.skipped_steps += 1
        self.skip_pending = True

    def take_deferred_counts(self) -> list[tuple[int, torch.Tensor]]:
        """The SG207 counts kept on a device, handed over once (the caller judges them)."""
        out, self.deferred_counts = self.deferred_counts, []
        return out

    def usual_window(self) -> int:
        """The window size seen most often (ties: the larger), once seen at least twice; else 0."""
        if not self.sizes:
            return 0
        n, size = max((n, size) for size, n in self.sizes.items())
        return size if n >= 2 else 0

    def _partial_window(self, k: int) -> list[Issue]:
        usual = self.usual_window()
        if usual <= 1 or k == 0 or k == usual:
            return []
        if k > usual:
            return [
                (
                    "SG206",
                    f"a window of {k} backward passes where {usual} is usual: the micro-batches "
                    "left over at the end of an epoch leaked into the next epoch's first step",
                )
            ]
        if len(self.factors) == k and all(
            isinstance(f, float) and abs(f * usual - 1.0) < 1e-6 for f in self.factors
        ):
            return [
                (
                    "SG206",
                    f"a partial window of {k} backward passes was scaled by 1/{usual} (the full "
                    f"window size) instead of 1/{k}: its gradient is {k}/{usual} of the mean",
                )
            ]
        return []

    def _token_means(self, k: int) -> list[Issue]:
        f = self.factors
        if len(f) != k or not isinstance(f[0], float) or any(x != f[0] for x in f):
            return []  # per-micro-batch weights differ: the user weighted them (or unknown)
        if any(t is None for t in self.items) or len(self.items) != k:
            return []
        counts = torch.stack([t.float() for t in self.items if t is not None])
        if counts.device.type != "cpu":  # judged when findings are read: no sync while training
            self.deferred_counts.append((self.step, counts))
            return []
        return token_mean_issue(counts.tolist())

    def dropped_window(self) -> list[Issue]:
        """At detach: backward passes of an unfinished window that no optimizer step used."""
        usual = self.usual_window()
        if usual > 1 and 0 < self.bw < usual:
            return [
                (
                    "SG206",
                    f"the last {self.bw} backward pass(es) (a partial window; {usual} is usual) "
                    "never reached an optimizer step: their gradients were dropped",
                )
            ]
        return []

    def schedule_in_micro_batches(self, length: int | None) -> list[Issue]:
        """At detach: a schedule sized for the run's backward passes, stepped once per step.

        Fires when the usual window u > 1, the run made at least 1.5 backward passes per
        optimizer step, the scheduler stepped at most once per optimizer step, and the schedule's
        length is within u of the number of backward passes seen (so only once the whole run was
        watched; a run watched in part never matches) and less than half as far from it as from
        the number of optimizer steps (a short run sized correctly, e.g. 2 steps of 2 passes,
        is as close to one count as to the other)."""
        usual, steps, passes = self.usual_window(), self.step, self.bw_total
        if length is None or usual <= 1 or steps < 2 or self.sched_total > steps + 1:
            return []
        if 2 * passes < 3 * steps:
            return []
        off = abs(length - passes)
        if off > usual or 2 * off >= abs(length - steps):
            return []
        return [
            (
                "SG205",
                f"the schedule is sized for {length} scheduler steps, the number of micro-batches "
                f"of the run ({passes}), but it was stepped per optimizer step: the run "
                f"ended after {steps} steps, {steps / length:.0%} of the way through the schedule",
            )
        ]

    def end_backward(self) -> list[Issue]:
        """A backward pass that reached the model finished (runs as an autograd callback)."""
        self.bw_open = False
        self.bw += 1
        self.bw_total += 1
        self.factors.append(self.pending_factor)
        self.items.append(self.pending_items)
        if self.ddp_sync_next:
            self.synced += 1
        self.skip_pending = False
        if self.zeroed_after is not None and not self.zero_reported:
            self.zero_reported = True
            n = self.zeroed_after
            return [
                (
                    "SG210",
                    f"zero_grad() wiped the gradients of {n} backward pass(es) of an accumulation "
                    f"window before backward pass {self.bw} of the same window; the optimizer "
                    "step sees only the passes after the last zeroing",
                )
            ]
        return []

    def close_window(self, ddp: bool, bn_training: list[str]) -> list[Issue]:
        """The optimizer step (or a skipped step) that ends the window: count the step and
        evaluate the window. `reset_window` follows once the window was recorded."""
        self.step += 1
        k = self.bw
        out: list[Issue] = self._partial_window(k)
        if k > 0:
            self.sizes[k] = self.sizes.get(k, 0) + 1
        if k <= 1:
            return out
        if self.sched > 1:
            out.append(
                (
                    "SG202",
                    f"scheduler.step() ran {self.sched} times for one optimizer step of {k} "
                    "backward passes: the schedule advances per micro-batch",
                )
            )
        early = [c for c in self.clip_at if 0 < c < k]
        if early:
            out.append(
                (
                    "SG203",
                    f"gradients were clipped after backward pass(es) {sorted(set(early))} of a "
                    f"{k}-pass accumulation window, before the window was complete",
                )
            )
        if len(self.factors) == k and all(f == 1.0 for f in self.factors):
            out.append(
                (
                    "SG201",
                    f"{k} backward passes accumulated into one optimizer step and none of their "
                    "losses was scaled (no constant factor at the root of the backward graph): "
                    f"the gradient is {k}x the mean over the window",
                )
            )
        out += self._token_means(k)
        if ddp and self.synced == k:
            out.append(
                (
                    "SG208",
                    f"DistributedDataParallel all-reduced on all {k} backward passes of the "
                    f"window ({k - 1} more than needed)",
                )
            )
        if bn_training:
            names = ", ".join(bn_training[:5]) + (" ..." if len(bn_training) > 5 else "")
            out.append(
                (
                    "SG209",
                    f"BatchNorm layer(s) in train mode under {k}-pass accumulation normalise with "
                    f"micro-batch statistics: {names}",
                )
            )
        return out


def token_mean_issue(counts: list[float]) -> list[Issue]:
    """SG207 for one window whose micro-batch losses were means over `counts` targets."""
    if max(counts) == min(counts):
        return []
    shown = ", ".join(f"{c:g}" for c in counts[:8]) + (" ..." if len(counts) > 8 else "")
    return [
        (
            "SG207",
            f"the window averages {len(counts)} per-micro-batch mean losses over micro-batches "
            f"with unequal target counts ({shown}): a token in a short micro-batch weighs more "
            "than one in a long one; not the window's mean loss",
        )
    ]


def sg106_findings(
    table: ParamTable,
    zero_count: torch.Tensor,
    seen_count: torch.Tensor,
    first_step: int | None,
    min_steps: int = 2,
) -> list[Finding]:
    """SG106 for decayed tensors whose gradient was all-zero on every instrumented step seen
    (at least `min_steps`). Reads the two counters from the device once."""
    if first_step is None or not table.params:
        return []
    zeros = zero_count.tolist()
    seen = seen_count.tolist()
    bad = [
        i
        for i, dec in enumerate(table.decayed)
        if dec and seen[i] >= min_steps and zeros[i] == seen[i]
    ]
    if not bad:
        return []
    names = [table.names[i] for i in bad]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    steps = int(max(seen[i] for i in bad))
    return [
        Finding(
            "SG106",
            f"{len(names)} parameter(s) in a weight-decay group had an all-zero gradient on all "
            f"{steps} instrumented steps, yet still decay: {shown}",
            step=first_step,
            count=steps,
            data={"params": names},
        )
    ]
