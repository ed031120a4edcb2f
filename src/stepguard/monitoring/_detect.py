"""The Monitor's detector state: Python-side counters per accumulation window, no tensor reads.

A *window* is the run of backward passes between two optimizer steps (a GradScaler-skipped step
ends a window too); the *usual* window size is the one seen most often (at least twice), which
SG206 compares each window with. `DetectorState` holds the open `Window` (its passes, scheduler
steps, clipping calls, zeroing, learning-rate changes) and the run's totals, and runs the checks
of `stepguard.monitoring._checks` when a window closes.

It owns its events: the hooks (`stepguard.monitoring._hooks.LoopHooks`) call one method per thing
they saw (`backward_called`, `loss_seen`, `begin_backward`, `end_backward`, `clipped`,
`scheduler_stepped`, `zero_grad_called`, `lr_seen`, `optimizer_stepped`, `close_window`, ...) and
never write its fields; the methods that can produce findings return them as `Issue`s.

Watched and counted windows: with ``every=N`` only the windows of steps 1, 1+N, 1+2N, ... are
*watched* (every event above); the others are *counted*: one increment per `torch.autograd.backward`
call, per scheduler step and per optimizer step. A counted window's size is its number of backward
calls, trusted only while every watched window had exactly one backward pass per call and a
single loss term (a GAN's windows, or passes that bypass `torch.autograd.backward`, make it
untrusted: counted windows are then not judged).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import torch

from stepguard.monitoring._checks import (
    Issue,
    Pass,
    Window,
    dropped_window,
    leaked_window,
    schedule_in_micro_batches,
    token_mean_issue,
    window_issues,
    zeroed_inside_window,
)

__all__ = ["DetectorState"]


class _Unseen:
    def __repr__(self) -> str:
        return "UNSEEN"


class DetectorState:
    """Counters for the detections. Read-only outside this module, except through its events.

    Run totals: `step` (closed windows = attempted optimizer steps), `opt_steps`
    (`optimizer.step()` calls that ran), `skipped_steps`, `bw_total` (backward passes),
    `sched_total`, `clip_calls`; `window` is the open window.
    """

    UNSEEN: Any = _Unseen()  # a backward pass that did not go through torch.autograd.backward

    def __init__(self) -> None:
        self.step = 0
        self.opt_steps = 0
        self.skipped_steps = 0
        self.bw_total = 0  # backward passes (counted windows: backward calls)
        self.mb_known = 0  # micro-batches of the windows whose size is known
        self.steps_known = 0  # ... and how many such windows
        self.sched_total = 0
        self.clip_calls = 0
        self.clip_hits: torch.Tensor | None = None
        self.bw_open = False
        self.in_call = False  # inside a top-level torch.autograd.backward call
        self.pending: Pass = Pass(self.UNSEEN, None, None)
        self.ddp_sync_next = False
        self.skip_pending = False
        self.deferred_counts: list[tuple[int, torch.Tensor]] = []  # SG207 on accelerators
        self.sizes: dict[int, int] = {}  # window size (micro-batches) -> how many windows had it
        self.counts_trusted = True  # a counted window's backward calls are its micro-batches
        self.all_sizes_known = True
        self.lrs: tuple[Any, ...] | None = None  # last learning rates read
        self.active = False
        self.window = Window()

    # ---- readings ---------------------------------------------------------------------------

    @property
    def bw(self) -> int:
        """Backward passes in the open window."""
        return len(self.window.passes)

    @property
    def zeroed_after(self) -> int | None:
        """Passes of the open window that a `zero_grad()` wiped (None: no such zeroing)."""
        return self.window.zeroed_after

    def usual_window(self) -> int:
        """The window size seen most often (ties: the larger), once seen at least twice; else 0."""
        if not self.sizes:
            return 0
        n, size = max((n, size) for size, n in self.sizes.items())
        return size if n >= 2 else 0

    # ---- events (called by the hooks) ------------------------------------------------------

    def start(self, watched: bool) -> None:
        """The Monitor attached: count from now on; `watched`: the open window is watched."""
        self.active = True
        self.window.watched = watched

    def stop(self) -> None:
        """The Monitor detached."""
        self.active = False
        self.bw_open = self.in_call = False

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Count nothing inside (a step's closure re-evaluated by LBFGS)."""
        was, self.active = self.active, False
        try:
            yield
        finally:
            self.active = was

    def backward_called(self) -> None:
        """A top-level `torch.autograd.backward` call starts (counted in every window)."""
        self.window.calls += 1
        self.skip_pending = False

    def loss_seen(self, factor: Any, items: torch.Tensor | None, key: Hashable, pid: int) -> None:
        """In a watched window: the call's loss was scaled by `factor` at its root (None:
        unknown), `items` is its target count, `key` its call site and root graph."""
        self.pending = Pass(factor, items, key, pid)
        self.in_call = True

    def loss_done(self) -> None:
        """That `torch.autograd.backward` call returned."""
        self.pending = Pass(self.UNSEEN, None, None)
        self.in_call = False

    def ddp_forward(self, sync: bool) -> None:
        """A DDP forward ran; `sync`: DDP will all-reduce in the backward pass it prepares."""
        self.ddp_sync_next = sync

    def begin_backward(self) -> bool:
        """A gradient reached a watched tensor; True when it opens a backward pass (the caller
        arranges for `end_backward` to run when that pass ends)."""
        if self.bw_open:
            return False
        self.bw_open = True
        return True

    def end_backward(self, unrecorded_steps: int) -> list[Issue]:
        """A backward pass that reached the watched tensors finished. `unrecorded_steps`: steps
        taken so far by optimizers no Monitor watches (process-wide)."""
        self.bw_open = False
        p = self.pending
        win = self.window
        win.passes.append(
            Pass(p.factor, p.items, p.key, p.pid, unrecorded_steps, self.ddp_sync_next)
        )
        self.bw_total += 1
        self.skip_pending = False
        if win.zeroed_after is not None and not win.zero_reported:
            win.zero_reported = True
            return zeroed_inside_window(win.zeroed_after, len(win.passes))
        return []

    def zero_grad_called(self, consumed: Callable[[Pass], bool]) -> None:
        """`optimizer.zero_grad()` / `model.zero_grad()` ran. Passes whose gradients another
        optimizer's step already used (`consumed`) leave the window: they were not its
        micro-batches (a GAN generator's pass through the discriminator). Any other pass is
        one of this window's micro-batches, wiped (SG210 once another pass follows)."""
        win = self.window
        if not self.active or not win.watched or not win.passes:
            return
        kept = [p for p in win.passes if not consumed(p)]
        dropped = len(win.passes) - len(kept)
        if dropped:
            win.passes = kept
            win.clip_at = [max(0, c - dropped) for c in win.clip_at]
        if kept and win.zeroed_after is None:
            win.zeroed_after = len(kept)

    def lr_seen(self, lrs: tuple[Any, ...]) -> None:
        """The param groups' learning rates, read after each backward pass and at the step of a
        watched window: a change from the previous reading counts for the window."""
        if self.lrs is not None and lrs != self.lrs:
            self.window.lr_changes += 1
        self.lrs = lrs

    def lr_baseline(self, lrs: tuple[Any, ...]) -> None:
        """The learning rates as a watched window opens (not a change of that window)."""
        self.lrs = lrs

    def clipped(self, max_norm: float | None, total: Any, scaler_enabled: bool) -> list[Issue]:
        """A gradient-clipping call on the watched parameters (`total`: the norm it measured)."""
        win = self.window
        win.clip_at.append(len(win.passes))
        out: list[Issue] = []
        if scaler_enabled and win.passes and not win.unscaled:
            out.append(
                Issue(
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
            win.last_clip_norm, win.last_clip_hit = total, hit
        return out

    def scheduler_stepped(self) -> list[Issue]:
        """`scheduler.step()` was called."""
        self.window.sched += 1
        self.sched_total += 1
        if not self.skip_pending:
            return []
        self.skip_pending = False
        return [
            Issue(
                "SG211",
                f"scheduler.step() ran after the GradScaler skipped optimizer step {self.step}",
            )
        ]

    def grads_unscaled(self) -> None:
        """`scaler.unscale_(optimizer)` ran for the watched optimizer."""
        self.window.unscaled = True

    def scaler_stepping(self, scale: torch.Tensor | None) -> None:
        """`scaler.step(optimizer)` starts; `scale` (a copy) is the scale it uses, if recorded."""
        self.window.scale_at_step = scale

    def optimizer_stepped(self) -> None:
        """`optimizer.step()` ran (its post-hook); the window is closed next."""
        self.opt_steps += 1

    def step_skipped(self) -> None:
        """The GradScaler skipped `optimizer.step()` (inf/nan gradients); its window closes next."""
        self.skipped_steps += 1
        self.skip_pending = True

    def close_window(self, ddp: bool, bn_training: list[str]) -> list[Issue]:
        """The optimizer step (or a skipped step) that ends the window: count the step and
        judge the window. `next_window` follows once the window was recorded."""
        self.step += 1
        win = self.window
        usual = self.usual_window()
        if win.watched:
            k = win.micro_batches()
            out, deferred = window_issues(win, usual, ddp, bn_training)
            if deferred is not None:
                self.deferred_counts.append((self.step, deferred))
            if win.calls != len(win.passes) or win.terms() > 1:
                self.counts_trusted = False
        else:
            self.bw_total += win.calls
            if not self.counts_trusted:
                self.all_sizes_known = False
                return []
            k = win.calls
            out = leaked_window(k, usual)
        if k > 0:
            self.sizes[k] = self.sizes.get(k, 0) + 1
        self.mb_known += k
        self.steps_known += 1
        return out

    def next_window(self, watched: bool) -> None:
        """Forget the window that closed; the next one is `watched` or only counted."""
        self.window = Window(watched=watched)
        self.bw_open = False

    def open_window_size(self) -> int | None:
        """Micro-batches of the unfinished window, if known."""
        win = self.window
        if win.watched:
            return win.micro_batches()
        return win.calls if self.counts_trusted else None

    def end_of_run(self, schedule_length: int | None) -> list[tuple[Issue, int]]:
        """At detach: an unfinished partial window (SG206) and a schedule sized in micro-batches
        (SG205); each with the step it is reported at."""
        usual = self.usual_window()
        out = [(i, self.step + 1) for i in dropped_window(self.open_window_size(), usual)]
        if self.all_sizes_known:
            issues = schedule_in_micro_batches(
                schedule_length, usual, self.step, self.mb_known, self.sched_total
            )
            out += [(i, self.step) for i in issues]
        return out

    def take_deferred_counts(self) -> list[tuple[int, torch.Tensor]]:
        """The SG207 counts kept on a device, handed over once (the caller judges them)."""
        out, self.deferred_counts = self.deferred_counts, []
        return out

    @staticmethod
    def judge_counts(counts: list[float]) -> list[Issue]:
        """SG207 for one window's target counts read back from the device."""
        return token_mean_issue(counts)
