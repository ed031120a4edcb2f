"""The window's mechanics, shared by every way of accumulating: close it (combine over the ranks,
scale to its real size or item count, check for non-finite values), then step or discard it;
plus the small helpers both `iterate` loops use. `Accumulator` (`_accumulator`) is the face.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import torch
from torch import nn

from stepguard.accumulation import _args, _ddp
from stepguard.accumulation._items import padded_tokens, rows
from stepguard.accumulation._window import (
    ITEMS,
    MEAN,
    Agreement,
    MicroBatch,
    Window,
    unequal,
    warn_unequal_sizes,
    warn_unequal_tokens,
)

B = TypeVar("B")


class WindowEngine:
    """Closing windows and stepping; the `Accumulator` is built on it."""

    # Set by Accumulator.__init__ (see there); declared for the type checker.
    model: nn.Module
    optimizer: torch.optim.Optimizer
    steps: int
    scheduler: Any
    clip_grad_norm: float | None
    scaler: Any
    drop_last: bool
    step_scheduler_on_skip: bool
    norm_type: float
    track_grad_norm: bool
    on_nonfinite: str
    micro_steps: int
    optimizer_steps: int
    skipped_steps: int
    dropped_batches: int
    _params: list[nn.Parameter]
    _outside: list[nn.Parameter]
    _kind: str | None
    _world: int
    _multi: bool
    _device: torch.device
    _counter: Callable[[Any], int] | None
    _cfg: str
    _count_what: str
    _fp32: list[nn.Parameter]
    _fp32_ids: set[int]
    _buffers: dict[int, torch.Tensor]
    _win: Window
    _mb: MicroBatch | None
    _agreed: Agreement | None
    _yielded: int | None
    _in_iterate: bool
    _warned: bool
    _token_checks: int
    _last_norm: torch.Tensor | None
    _last_stepped: bool

    def _leave_iterate(self) -> None:
        self._in_iterate = False
        self._yielded = None
        self._mb = None

    def _resume(self, it: Iterator[B]) -> list[B]:
        """The batches that complete a window interrupted by a checkpoint."""
        win = self._win
        if win.size is None:
            raise RuntimeError(
                f"Accumulator.iterate: {win.pos} micro-batch(es) were accumulated outside "
                "iterate(); call acc.flush() before iterating"
            )
        want = win.size - win.pos
        batches = list(itertools.islice(it, want))
        if len(batches) < want:
            raise RuntimeError(
                f"Accumulator.iterate: the loader ended {want - len(batches)} batch(es) before "
                "the interrupted window was complete; resume with the same data"
            )
        return batches

    def _check_tokens(self, batches: list[Any]) -> tuple[Any, ...] | None:
        """Mean mode, first windows: labels padded with -100 whose token counts differ mean a
        token-mean loss is weighted per micro-batch, not per token (SG207). One host read per
        micro-batch, for the first two windows only. Returns the warning to give if the window
        really runs in mean mode."""
        if self._token_checks >= 2:
            return None
        self._token_checks += 1
        if len(batches) < 2:
            return None
        found = [padded_tokens(b) for b in batches]
        counts = [c for c in found if c is not None]
        if len(counts) < len(found) or len(set(counts)) < 2:
            return None
        return ("tokens", counts)

    def _emit_warning(self, win: Window, stacklevel: int) -> None:
        """Give the window's pending SG207 warning, once, if it ran in mean mode (a backward
        with items= per call weighs correctly, and must not be warned about)."""
        if win.warn is None or win.mode != MEAN or self._warned:
            return
        self._warned = True
        if win.warn[0] == "tokens":
            warn_unequal_tokens(win.warn[1], stacklevel + 1)
        else:
            warn_unequal_sizes(win.warn[1], across_ranks=win.warn[2], stacklevel=stacklevel + 1)

    def _survey(self, batches: list[Any]) -> tuple[list[int] | None, list[int | None]]:
        """The batches' item counts (items= / mean_over=) and sizes (mean mode, until warned)."""
        if self._counter is not None:
            zero_ok = self._cfg == ITEMS
            what = self._count_what
            counts = [_args.check_items(self._counter(b), what, zero_ok) for b in batches]
            return counts, []
        if self._warned:
            return None, []
        return None, [rows(b) for b in batches]

    @contextlib.contextmanager
    def _no_sync(self) -> Iterator[None]:
        if self._kind is None:
            yield
            return
        with _ddp.no_sync(self.model):
            yield

    def _closing(self, active: float) -> list[float]:
        """This rank's numbers for the agreement that closes the current window (own loop)."""
        win = self._win
        known = [s for s in win.rows if s is not None]
        return [
            0.0,
            float(win.pos),
            float(win.items_seen),
            float(win.mode not in (None, MEAN)),
            active,
            0.0,
            0.0,
            float(sum(known)),
            float(sum(s * s for s in known)),
            float(len(known)) if len(known) == len(win.rows) else 0.0,
        ]

    def _agree(self, values: list[float], losses: list[torch.Tensor] | None = None) -> Agreement:
        values[0] += self._win.bad
        extra = None
        if losses:
            extra = (~torch.isfinite(torch.stack(losses))).sum()
        return Agreement.of(_ddp.agree(values, self.model, self._device, extra))

    def _move_to_fp32(self) -> None:
        for p in self._fp32:
            g = p.grad
            if g is None:
                continue
            buf = self._buffers.get(id(p))
            if buf is None:
                self._buffers[id(p)] = g.float()
            else:
                buf.add_(g)
            p.grad = None

    def _close(self, a: Agreement | None, active: float) -> None:
        """End the window: combine (several ranks), scale, check, then step or discard."""
        win = self._win
        if win.warn is not None:
            self._emit_warning(win, stacklevel=4)
        ran_all = win.size is not None and win.pos == win.size  # every planned micro-batch ran
        avg = 1
        if self._multi:
            if a is None:
                a = self._agree(self._closing(active), win.losses)
            if a.micro == 0:  # no rank holds anything (a flush round)
                self._win = Window()
                return
            by_wrapper = (  # the wrapper synced (averaged) the window's last micro-batch
                (ran_all and win.native and (win.size or 0) > 0)
                if win.size is not None
                else (self._kind == _ddp.FSDP and win.pos == self.steps)
            )
            if by_wrapper:
                avg = self._world
                if self._outside:  # the wrapper does not see them: average by hand
                    _ddp.sum_grads(self._outside, self.model, 1.0 / avg)
            else:
                _ddp.sum_grads(self._params, self.model, 1.0)
            bad, micro, seen, counting = a.bad, a.micro, a.items, a.counting > 0
            if (
                win.size is None
                and not counting
                and not self._warned
                and unequal(a.micro, a.rows, a.rows2, a.known)
            ):
                self._warned = True
                warn_unequal_sizes(win.rows, across_ranks=True, stacklevel=4)
        else:
            bad = float(self._local_bad())
            micro, seen, counting = float(win.pos), float(win.items_seen), win.mode != MEAN
            if (
                win.size is None
                and not counting
                and not self._warned
                and len({s for s in win.rows if s is not None}) > 1
            ):
                self._warned = True
                warn_unequal_sizes(win.rows, across_ranks=False, stacklevel=4)
        # Planned: backward already divided by the window's global count (iterate; the same on
        # every rank). Else (own loop, items= per call, a window cut short) scale it now.
        # (From the configuration, the same on every rank, including one without data.)
        planned = win.div is not None and (not counting or self._cfg != MEAN)
        factor: float | None = None
        if not (planned and ran_all):
            pre = win.div if planned else (1.0 if counting else float(self.steps))
            denom = seen if counting else micro
            if denom == 0:
                self._discard_grads()
                raise ValueError(
                    "Accumulator: the window's micro-batches hold no items (every items= was 0); "
                    "nothing was applied"
                )
            factor = pre * avg / denom  # type: ignore[operator]
            if factor == 1.0:
                factor = None
        if self._fp32:
            for p in self._fp32:
                buf = self._buffers.pop(id(p), None)
                if buf is not None:
                    p.grad = buf.to(p.dtype) if factor is None else (buf * factor).to(p.dtype)
        if factor is not None:
            # (float32 buffers were scaled above, before rounding to the parameter dtype)
            rest = [
                p.grad for p in self._params if p.grad is not None and id(p) not in self._fp32_ids
            ]
            if rest:
                torch._foreach_mul_(rest, factor)
        self._win = Window()
        if bad:
            self._discard(win.losses, win.bad)
            return
        self._step()

    def _local_bad(self) -> int:
        """Non-finite losses in the window on this rank (one host read per window)."""
        win = self._win
        losses = win.losses
        if not losses:
            return win.bad
        if losses[0].device.type == "cpu":  # reading CPU scalars is cheaper than stacking them
            values = [v.item() for v in losses]
            if math.isfinite(sum(values)):
                return win.bad
            return win.bad + sum(not math.isfinite(v) for v in values)
        finite = torch.stack(losses).isfinite()
        return win.bad + (0 if bool(finite.all()) else int((~finite).sum()))

    def _step(self, losses: list[torch.Tensor] | None = None) -> None:
        if self.scaler is not None and (self.track_grad_norm or self.clip_grad_norm is not None):
            self.scaler.unscale_(self.optimizer)  # once, before clipping (SG204)
        norm = None
        if self.clip_grad_norm is not None:
            norm = nn.utils.clip_grad_norm_(self._params, self.clip_grad_norm, self.norm_type)
        elif self.track_grad_norm:
            grads = [p.grad for p in self._params if p.grad is not None]
            norm = nn.utils.get_total_norm(grads, self.norm_type)
        if norm is not None:
            # Without a scaler (whose job inf/nan gradients are) a non-finite norm means a
            # non-finite gradient: stepping would write nan/inf into the parameters.
            if self.scaler is None and not math.isfinite(norm.item()):
                self._discard(losses or [], 0, gradient=True)
                return
            self._last_norm = norm
        if self.scaler is not None:
            stepped = [False]

            def hook(*_: Any) -> None:
                stepped[0] = True

            handle = self.optimizer.register_step_post_hook(hook)
            try:
                self.scaler.step(self.optimizer)
            finally:
                handle.remove()
            self.scaler.update()
            ok = stepped[0]
        else:
            self.optimizer.step()
            ok = True
        self.optimizer.zero_grad(set_to_none=True)
        self._last_stepped = ok
        if ok:
            self.optimizer_steps += 1
        else:
            self.skipped_steps += 1
        if self.scheduler is not None and (ok or self.step_scheduler_on_skip):
            self.scheduler.step()

    def _discard_grads(self) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        for p in self._params:
            p.grad = None
        self._buffers.clear()
        self._win = Window()

    def _discard(self, losses: list[torch.Tensor], restored: int, gradient: bool = False) -> None:
        self._discard_grads()
        self.skipped_steps += 1
        self._last_stepped = False
        mine = []
        if losses:
            mine = [i for i, v in enumerate(torch.stack(losses).isfinite().tolist()) if not v]
        what = "loss"
        if mine:
            where = f"micro-batch(es) {mine} of the window"
        elif gradient:
            what, where = "gradient", "the window (its losses are finite)"
        elif restored:
            where = "a micro-batch of the window before the checkpoint it was resumed from"
        else:
            where = "another rank's micro-batch"
        msg = (
            f"Accumulator: non-finite {what} (nan/inf) in {where}; the window's gradients were "
            "discarded, nothing was applied (parameters, optimizer and scheduler untouched)"
        )
        if self.on_nonfinite == "raise":
            raise FloatingPointError(msg + ". Pass on_nonfinite='skip' to skip such windows.")
        warnings.warn(msg, RuntimeWarning, stacklevel=4)
