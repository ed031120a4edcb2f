"""Exact gradient accumulation: k micro-batches make the same optimizer step as one big batch.

`Accumulator` owns what the seeds get wrong around accumulation (SG201-SG208, SG210-SG212): the loss
scaling (by the window's real size, or by its item count), backward through a GradScaler, DDP /
FSDP2 gradient sync on the window's last micro-batch only, and once per window
``scaler.unscale_ -> clip -> optimizer.step (scaler.step + update) -> zero_grad -> scheduler.step``.
`optimizer_steps` sizes a schedule in optimizer steps (SG205).

Exactness statement (tested in float64 to 1e-12): for a model without batch-coupled layers
(BatchNorm in train mode) and without randomness that depends on the batch layout (dropout masks),
the parameters after each window equal those of one step on the concatenation of the window's
micro-batches, with the mean loss over micro-batches (equal sizes) or over items (``items=``).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import torch
from torch import nn

from stepguard.accumulation import _args, _ddp

__all__ = ["Accumulator", "optimizer_steps"]

B = TypeVar("B")
_LOW_PRECISION = (torch.bfloat16, torch.float16)


def optimizer_steps(
    batches_per_epoch: int, accum_steps: int, epochs: int = 1, drop_last: bool = False
) -> int:
    """The number of optimizer steps for a run: size schedules with it (SG205).

    Windows do not span epochs (one ``acc.iterate(loader)`` per epoch): each epoch makes
    ``ceil(batches_per_epoch / accum_steps)`` steps, or ``floor(...)`` when the partial last
    window is dropped (``drop_last=True``); the result is that times ``epochs``.
    """
    for name, value, low in (
        ("batches_per_epoch", batches_per_epoch, 0),
        ("accum_steps", accum_steps, 1),
        ("epochs", epochs, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"optimizer_steps: {name} must be an int >= {low}, got {value!r}")
    full, rest = divmod(batches_per_epoch, accum_steps)
    return (full + (1 if rest and not drop_last else 0)) * epochs


@dataclass
class _Window:
    """What is known about the current window before (or while) its micro-batches run."""

    size: int | None = None  # micro-batches in the window; None = own loop, not known ahead
    counts: list[int] | None = None  # per-micro-batch local item counts (iterate + items=)
    total: float | None = None  # items over the window on all ranks, known ahead
    pos: int = 0  # micro-batches already backpropagated
    mode: str | None = None  # "mean" or "items", fixed by the first backward
    items_seen: int = 0  # local items backpropagated so far (own loop / items not known ahead)
    finite: list[torch.Tensor] = field(default_factory=list)  # one 0-d bool per micro-batch
    unsynced: bool = False  # the last backward ran under no_sync()


class Accumulator:
    """Gradient accumulation over windows of `steps` micro-batches, exactly like one big batch.

    Use ``for batch in acc.iterate(loader): acc.backward(loss_of(batch))``. `iterate` groups the
    loader into windows of `steps` micro-batches (looking a window ahead), so it knows each window's
    real size and item count before its first backward, and it holds DDP ``no_sync()`` (FSDP2:
    ``set_requires_gradient_sync(False)``) open around the forward and backward of every
    micro-batch but the window's last. The partial last window is scaled by its real size, or
    dropped with ``drop_last=True``.

    Normalisation. Mean mode (default): `backward(loss)` takes the micro-batch's mean loss and
    backpropagates ``loss / m`` (m = micro-batches in the window): exact when the micro-batches
    have equal sizes. Item mode (``items=count_fn`` or ``backward(loss_sum, items=n)``):
    `backward` takes a SUM-reduced loss and backpropagates ``loss_sum * W / N`` (N = items in the
    window over all W ranks, one all-reduce per window): the gradient of the mean loss over every
    item of the window, whatever the per-micro-batch counts (SG207).

    Once per window, in this order: the gradients get any pending scale (see below), a non-finite
    loss check (one host sync per window), ``scaler.unscale_``, ``clip_grad_norm_``,
    ``optimizer.step()`` (``scaler.step`` + ``scaler.update``), ``zero_grad(set_to_none=True)``,
    ``scheduler.step()`` (not when the scaler skipped the step, unless
    ``step_scheduler_on_skip=True``; skips are counted in `skipped_steps`).

    Own loop (no `iterate`): `backward` counts micro-batches and steps after `steps` of them; call
    `flush()` after the loop for the partial last window. Its size is not known ahead, so mean
    mode backpropagates ``loss / steps`` and `flush` rescales the gradients by ``steps / m``
    before the step, and item mode backpropagates the raw sum and divides by the window's item
    count at the end. Under DDP wrap each micro-batch's forward+backward in ``acc.micro_batch()``.

    Non-finite loss (``on_nonfinite``): ``"raise"`` (the default without a scaler) raises
    `FloatingPointError` at the end of the window, ``"skip"`` (the default with a scaler, whose
    contract is to skip inf/nan steps) warns; either way the window's gradients are discarded,
    parameters, optimizer, scheduler and scaler state are untouched, and `skipped_steps` counts it.

    ``accumulate_fp32=True`` keeps the running sum of bf16/fp16 gradients in float32 buffers
    (rounded once, when the window steps) instead of rounding after every micro-batch; inside a
    window those parameters' `.grad` is None (the sum lives in the buffers, and in `state_dict`).
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        *,
        steps: int,
        scheduler: Any = None,
        clip_grad_norm: float | None = None,
        scaler: Any = None,
        items: Callable[[Any], int] | None = None,
        drop_last: bool = False,
        on_nonfinite: Literal["raise", "skip"] | None = None,
        step_scheduler_on_skip: bool = False,
        accumulate_fp32: bool = False,
        norm_type: float = 2.0,
        track_grad_norm: bool | None = None,
    ) -> None:
        self.on_nonfinite, self._params = _args.check_config(
            model, optimizer, steps, scheduler, clip_grad_norm, scaler, items, on_nonfinite
        )
        self.model = model
        self.optimizer = optimizer
        self.steps = steps
        self.scheduler = scheduler
        self.clip_grad_norm = clip_grad_norm
        self.scaler = scaler
        self.items = items
        self.drop_last = drop_last
        self.step_scheduler_on_skip = step_scheduler_on_skip
        self.norm_type = norm_type
        self.track_grad_norm = (
            clip_grad_norm is not None if track_grad_norm is None else track_grad_norm
        )
        self._kind = _ddp.parallel_kind(model)
        self._world = _ddp.world_size(model)
        if self._kind is None and _ddp.default_world_size() > 1:
            warnings.warn(
                "Accumulator: torch.distributed runs with several ranks but the model is not "
                "DDP/FSDP-wrapped; pass the wrapped model (not model.module), or gradient sync "
                "is not skipped (SG208) and item counts are not summed across ranks (SG207)",
                UserWarning,
                stacklevel=2,
            )
        if accumulate_fp32 and self._kind is not None:
            raise ValueError(
                "Accumulator: accumulate_fp32 is not supported with DDP/FSDP (the wrapper reduces "
                "the parameters' own .grad); use it on a single process."
            )
        self.accumulate_fp32 = accumulate_fp32
        self._fp32 = (
            [p for p in self._params if p.dtype in _LOW_PRECISION] if accumulate_fp32 else []
        )
        self._fp32_ids = {id(p) for p in self._fp32}
        self._buffers: dict[int, torch.Tensor] = {}
        self._sync_off = False  # inside our no_sync(): the next backward does not all-reduce
        self._win = _Window()
        self._yielded: int | None = None  # iterate: index of the batch waiting for its backward
        self._in_iterate = False
        #: micro-batches backpropagated so far.
        self.micro_steps = 0
        #: optimizer steps applied (windows whose step ran).
        self.optimizer_steps = 0
        #: windows whose step did not run: the GradScaler found inf/nan, or a loss was non-finite.
        self.skipped_steps = 0
        #: micro-batches dropped by ``drop_last=True``.
        self.dropped_batches = 0
        self._last_norm: torch.Tensor | None = None
        self._last_stepped = False

    # ----------------------------------------------------------------------------------- counters
    @property
    def last_grad_norm(self) -> float | None:
        """Total gradient norm of the last window, before clipping (None if not tracked yet)."""
        return None if self._last_norm is None else float(self._last_norm)

    @property
    def clipped(self) -> bool:
        """Whether clipping scaled the last window's gradients down."""
        if self._last_norm is None or self.clip_grad_norm is None:
            return False
        # clip_grad_norm_ multiplies by clip / (norm + 1e-6) when that is < 1.
        return bool(self.clip_grad_norm / (float(self._last_norm) + 1e-6) < 1.0)

    @property
    def last_step_skipped(self) -> bool:
        """Whether the last window that closed was skipped (scaler inf/nan or non-finite loss)."""
        return not self._last_stepped and (self.optimizer_steps + self.skipped_steps) > 0

    @property
    def window_position(self) -> int:
        """Micro-batches already accumulated in the current (open) window."""
        return self._win.pos

    # ---------------------------------------------------------------------------------- iterate
    def iterate(self, loader: Iterable[B]) -> Iterator[B]:
        """Yield the loader's batches grouped into windows; call `backward` once per batch.

        Takes a window's batches from the loader before yielding the first (so its size and,
        with ``items=``, its item count over all ranks are known), and yields all but the
        window's last inside the model's ``no_sync()``. After a mid-window `load_state_dict`,
        the first batches complete the interrupted window.
        """
        it = iter(loader)
        self._in_iterate = True
        try:
            while True:
                win = self._win
                resuming = win.pos > 0 and win.size is not None
                want = (win.size - win.pos) if resuming and win.size is not None else self.steps
                batches = [b for _, b in zip(range(want), it, strict=False)]
                if not batches:
                    return
                if not resuming:
                    if win.pos:
                        raise RuntimeError(
                            f"Accumulator.iterate: {win.pos} micro-batch(es) were accumulated "
                            "outside iterate(); call acc.flush() before iterating"
                        )
                    if len(batches) < self.steps and self.drop_last:
                        self.dropped_batches += len(batches)
                        return
                    self._plan(batches)
                elif len(batches) < want:
                    raise RuntimeError(
                        f"Accumulator.iterate: the loader ended {want - len(batches)} batch(es) "
                        "before the interrupted window was complete; resume with the same data"
                    )
                window, start = self._win, self._win.pos
                for i, batch in enumerate(batches):
                    if self._win is not window:
                        raise RuntimeError(
                            "Accumulator.iterate: the window was closed (acc.flush()?) before its "
                            "last batch; iterate() closes windows itself"
                        )
                    last = start + i == (window.size or 0) - 1
                    self._yielded = start + i
                    ctx = contextlib.nullcontext() if last else self._no_sync()
                    with ctx:
                        yield batch
                    if self._yielded is not None:
                        raise RuntimeError(
                            "Accumulator.iterate: a yielded batch got no acc.backward(loss); "
                            "call it exactly once per batch, or the window would be mis-scaled"
                        )
        finally:
            self._in_iterate = False
            self._yielded = None

    def _plan(self, batches: list[Any]) -> None:
        counts = None
        total = None
        if self.items is not None:
            counts = [_args.check_items(self.items(b), "items(batch)") for b in batches]
            total = _ddp.global_sum([sum(counts)], self.model)[0]
        self._win = _Window(size=len(batches), counts=counts, total=total)

    @contextlib.contextmanager
    def _no_sync(self) -> Iterator[None]:
        if self._kind is None:
            yield
            return
        with _ddp.no_sync(self.model):
            self._sync_off = True
            try:
                yield
            finally:
                self._sync_off = False

    @contextlib.contextmanager
    def micro_batch(self) -> Iterator[None]:
        """Own loop under DDP/FSDP: wrap each micro-batch's forward+backward in this context.

        It enters ``no_sync()`` unless the next `backward` completes a full window. A partial
        window then ends unsynced; `flush` all-reduces its gradients by hand (DDP).
        """
        if self._kind is None or self._win.pos == self.steps - 1:
            yield
        else:
            with self._no_sync():
                yield

    # --------------------------------------------------------------------------------- backward
    def backward(self, loss: torch.Tensor, items: int | None = None) -> bool:
        """Backpropagate one micro-batch's loss, scaled for its window; step when the window ends.

        `loss` is the micro-batch's mean loss (mean mode) or its SUM-reduced loss (item mode:
        ``items=`` here or ``items=`` on the Accumulator). Returns True when this call closed a
        window (its optimizer step ran, or was skipped: see `last_step_skipped`).
        """
        _args.check_loss(loss)
        win = self._win
        if items is not None:
            items = _args.check_items(items, "items")
        mode = "items" if (items is not None or win.counts is not None) else "mean"
        if self.items is not None and win.counts is None and items is None:
            raise ValueError(
                "Accumulator.backward: items= was given to the Accumulator, so pass the loss of "
                "batches from acc.iterate(loader), or pass backward(loss_sum, items=n)"
            )
        if win.pos and win.mode != mode:
            raise ValueError(
                "Accumulator.backward: items= must be given for every micro-batch of a window or none"
            )
        if self._in_iterate and self._yielded is None:
            raise RuntimeError(
                "Accumulator.backward: called twice for one batch of acc.iterate(); call it once"
            )
        divisor: float | None
        mult = 1.0
        if win.counts is not None and win.total is not None:
            if items is not None and items != win.counts[win.pos]:
                raise ValueError(
                    f"Accumulator.backward: items={items} but items(batch) counted "
                    f"{win.counts[win.pos]} for this micro-batch"
                )
            divisor, mult = win.total, float(self._world)
        elif mode == "items":
            divisor = None  # the window's item count is known only at its end
        else:
            divisor = float(win.size if win.size is not None else self.steps)
        scaled = loss / divisor if divisor is not None else loss
        if mult != 1.0:
            scaled = scaled * mult
        if self.scaler is not None:
            scaled = self.scaler.scale(scaled)
        scaled.backward()
        # Deferred non-finite check: one small op now, one host sync per window.
        win.finite.append(torch.isfinite(loss.detach()))
        if self._fp32:
            self._move_to_fp32()
        win.mode = mode
        if mode == "items" and divisor is None and items is not None:
            win.items_seen += items
        elif win.counts is not None:
            win.items_seen += win.counts[win.pos]
        win.pos += 1
        self.micro_steps += 1
        self._yielded = None
        win.unsynced = self._sync_off
        size = win.size if win.size is not None else self.steps
        if win.pos >= size:
            self._close_window()
            return True
        return False

    def flush(self) -> bool:
        """Step on the open, partial window (own loop: call after the last micro-batch).

        Its gradients are rescaled to its real size first (mean mode: by ``steps / m``; item
        mode: by its item count). Returns True if a window was open; a no-op otherwise.
        """
        if self._win.pos == 0:
            return False
        self._close_window()
        return True

    finish = flush

    # ------------------------------------------------------------------------------- the window
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

    def _post_scale(self) -> float | None:
        """The factor the window's gradients still need, or None (already scaled by backward)."""
        win = self._win
        if win.mode == "items":
            if win.total is not None and win.size is not None and win.pos == win.size:
                return None
            # Own loop, or a planned window cut short: divide by the items really seen.
            seen = _ddp.global_sum([win.items_seen], self.model)[0]
            if win.total is not None:
                return win.total / seen
            return self._world / seen
        size = win.size if win.size is not None else self.steps
        return None if win.pos == size else size / win.pos

    def _close_window(self) -> None:
        win = self._win
        factor = self._post_scale()
        if win.unsynced and self._kind is not None:
            # The window ended on a micro-batch that ran under no_sync (a cut-short window).
            _ddp.average_grads(self.model, self._params)
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
        bad = self._nonfinite_micro_batches()
        self._win = _Window()
        if bad:
            self._discard(bad)
            return
        if self.scaler is not None and (self.track_grad_norm or self.clip_grad_norm is not None):
            self.scaler.unscale_(self.optimizer)  # once, before clipping (SG204)
        if self.clip_grad_norm is not None:
            self._last_norm = nn.utils.clip_grad_norm_(
                self._params, self.clip_grad_norm, self.norm_type
            )
        elif self.track_grad_norm:
            grads = [p.grad for p in self._params if p.grad is not None]
            self._last_norm = nn.utils.get_total_norm(grads, self.norm_type)
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

    def _nonfinite_micro_batches(self) -> list[int]:
        flags = self._win.finite
        if not flags:
            return []
        ok = torch.stack(flags)
        if self._kind is not None and self._world > 1:
            n_bad = _ddp.global_sum([float((~ok).sum())], self.model)[0]
            if n_bad == 0:
                return []
        elif bool(ok.all()):
            return []
        return [i for i, v in enumerate(ok.tolist()) if not v] or [-1]

    def _discard(self, bad: list[int]) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        for p in self._params:
            p.grad = None
        self.skipped_steps += 1
        self._last_stepped = False
        where = "another rank" if bad == [-1] else f"micro-batch(es) {bad} of the window"
        msg = (
            f"Accumulator: non-finite loss (nan/inf) in {where}; the window's gradients were "
            "discarded, nothing was applied (parameters, optimizer and scheduler untouched)"
        )
        if self.on_nonfinite == "raise":
            raise FloatingPointError(msg + ". Pass on_nonfinite='skip' to skip such windows.")
        warnings.warn(msg, RuntimeWarning, stacklevel=3)

    # ------------------------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """Counters and the open window, including its partially accumulated gradients.

        To resume mid-window bit-identically save, at the same moment: ``model.state_dict()``,
        ``optimizer.state_dict()``, ``scheduler.state_dict()``, ``scaler.state_dict()`` and this
        (it holds each trainable parameter's `.grad`, or float32 buffers), plus your RNG states
        and data position if the remaining batches depend on them.
        """
        win = self._win
        grads: list[torch.Tensor | None] = []
        if win.pos:
            for p in self._params:
                src = self._buffers.get(id(p), p.grad)
                grads.append(None if src is None else src.detach().clone())
        finite = bool(torch.stack(win.finite).all()) if win.finite else True
        return {
            "steps": self.steps,
            "micro_steps": self.micro_steps,
            "optimizer_steps": self.optimizer_steps,
            "skipped_steps": self.skipped_steps,
            "dropped_batches": self.dropped_batches,
            "last_grad_norm": self.last_grad_norm,
            "window": {
                "size": win.size,
                "counts": win.counts,
                "total": win.total,
                "pos": win.pos,
                "mode": win.mode,
                "items_seen": win.items_seen,
                "finite": finite,
                "unsynced": win.unsynced,
            },
            "grads": grads,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()` output (the open window's `.grad` goes back on the parameters)."""
        if state.get("steps") != self.steps:
            raise ValueError(
                f"Accumulator.load_state_dict: saved with steps={state.get('steps')}, "
                f"this Accumulator has steps={self.steps}"
            )
        grads = state["grads"]
        if grads and len(grads) != len(self._params):
            raise ValueError(
                f"Accumulator.load_state_dict: {len(grads)} saved gradients for "
                f"{len(self._params)} trainable parameters; is this the same model?"
            )
        for p, g in zip(self._params, grads, strict=False):
            if g is not None and g.shape != p.shape:
                raise ValueError(
                    f"Accumulator.load_state_dict: saved gradient of shape {tuple(g.shape)} for "
                    f"a parameter of shape {tuple(p.shape)}"
                )
        self.micro_steps = int(state["micro_steps"])
        self.optimizer_steps = int(state["optimizer_steps"])
        self.skipped_steps = int(state["skipped_steps"])
        self.dropped_batches = int(state.get("dropped_batches", 0))
        norm = state.get("last_grad_norm")
        self._last_norm = None if norm is None else torch.tensor(norm)
        w = state["window"]
        self._win = _Window(
            size=w["size"],
            counts=w["counts"],
            total=w["total"],
            pos=int(w["pos"]),
            mode=w["mode"],
            items_seen=int(w["items_seen"]),
            finite=[] if w["pos"] == 0 else [torch.tensor(bool(w["finite"]))],
            unsynced=bool(w["unsynced"]),
        )
        self._buffers.clear()
        for p, g in zip(self._params, grads, strict=False):
            if g is None:
                p.grad = None
            elif id(p) in self._fp32_ids:
                self._buffers[id(p)] = g.detach().clone().to(p.device)
                p.grad = None
            else:
                p.grad = g.detach().clone().to(device=p.device, dtype=p.dtype)
