"""Exact gradient accumulation: k micro-batches make the same optimizer step as one big batch.

`Accumulator` owns what the seeds get wrong around accumulation (SG201-SG208, SG210-SG212): the loss
scaling (by the window's real size, or by its item count), backward through a GradScaler, DDP /
FSDP2 gradient sync on the window's last micro-batch only, and once per window
``scaler.unscale_ -> clip -> optimizer.step (scaler.step + update) -> zero_grad -> scheduler.step``.
`optimizer_steps` sizes a schedule in optimizer steps (SG205).

Exactness statement (tested in float64 to 1e-12): for a model without batch-coupled layers
(BatchNorm in train mode) and without randomness that depends on the batch layout (dropout masks),
the parameters after each window equal those of one step on the concatenation of the window's
micro-batches (over all ranks), with the mean loss over micro-batches (equal sizes), over rows or
tokens (``mean_over=``) or over items (``items=``).
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar

import torch
from torch import nn

from stepguard.accumulation import _args, _ddp
from stepguard.accumulation._items import count_rows, rows
from stepguard.accumulation._ranks import RanksMixin
from stepguard.accumulation._window import (
    ITEMS,
    MEAN,
    MEAN_OVER,
    Agreement,
    MicroBatch,
    Window,
)

__all__ = ["Accumulator", "optimizer_steps"]

B = TypeVar("B")
_LOW_PRECISION = (torch.bfloat16, torch.float16)
NOTHING_NEXT = [0.0] * 6


def optimizer_steps(
    batches_per_epoch: int, accum_steps: int, epochs: int = 1, drop_last: bool = False
) -> int:
    """The number of optimizer steps for a run: size schedules with it (SG205).

    Windows do not span epochs (one ``acc.iterate(loader)`` per epoch): each epoch makes
    ``ceil(batches_per_epoch / accum_steps)`` steps, or ``floor(...)`` when the partial last
    window is dropped (``drop_last=True``); the result is that times ``epochs``.

    Args:
        batches_per_epoch: micro-batches per epoch (``len(loader)``).
        accum_steps: micro-batches per optimizer step.
        epochs: epochs of the run.
        drop_last: whether the partial last window of an epoch is dropped.
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


class Accumulator(RanksMixin):
    """Gradient accumulation over windows of `steps` micro-batches, exactly like one big batch.

    Use ``for batch in acc.iterate(loader): acc.backward(loss_of(batch))``. `iterate` groups the
    loader into windows of `steps` micro-batches (looking a window ahead), so it knows each window's
    real size and item count before its first backward, and it holds DDP ``no_sync()`` (FSDP2:
    ``set_requires_gradient_sync(False)``) open around the forward and backward of every
    micro-batch but the window's last. The partial last window is scaled by its real size, or
    dropped with ``drop_last=True``.

    Normalisation, three modes:

    * mean (default): `backward(loss)` takes the micro-batch's mean loss and backpropagates
      ``loss / m`` (m = micro-batches in the window, over all ranks): exact when the
      micro-batches have equal sizes. When they do not (leading dimension of the batch's tensors,
      or ``len()``), it warns once (SG207).
    * ``mean_over="rows"`` or ``mean_over=count_tokens("labels")``: `backward` still takes the
      MEAN loss; each micro-batch is weighted by its rows / tokens counted from the batch,
      ``loss * n_i / N``: exact for any sizes.
    * ``items=count_fn`` (or ``backward(loss_sum, items=n)``): `backward` takes a SUM-reduced loss
      and backpropagates ``loss_sum / N`` (N = items in the window over all ranks).

    Every parameter the optimizer holds is scaled and clipped, including ones outside `model`
    (a learnable temperature in the loss; under DDP their gradients are all-reduced by hand).

    Once per window, in this order: the gradients get any pending scale, a non-finite loss check
    (one host sync per window), ``scaler.unscale_``, ``clip_grad_norm_``, ``optimizer.step()``
    (``scaler.step`` + ``scaler.update``), ``zero_grad(set_to_none=True)``, ``scheduler.step()``
    (not when the scaler skipped the step, unless ``step_scheduler_on_skip=True``; skips are
    counted in `skipped_steps`).

    Several ranks: one extra all-reduce of a few numbers per window, in which the ranks agree on
    the window (its micro-batches and items over all ranks, any non-finite loss, and whether every
    rank has data) before the gradients are combined. Ranks with fewer batches contribute
    zero-weight windows until every rank is done (torch ``Join`` semantics), so replicas stay
    identical and each step is the big-batch step over what the window held on all ranks.

    Own loop (no `iterate`): `backward` counts micro-batches and steps after `steps` of them; call
    `flush()` after the loop (on every rank) for the partial last window. Under DDP wrap each
    micro-batch's forward and backward in ``with acc.micro_batch():``; the Accumulator then
    reduces each window's gradients itself, once, at the window's end.

    Non-finite loss (``on_nonfinite``): ``"raise"`` (the default without a scaler) raises
    `FloatingPointError` at the end of the window, ``"skip"`` (the default with a scaler, whose
    contract is to skip inf/nan steps) warns; either way the window's gradients are discarded,
    parameters, optimizer, scheduler and scaler state are untouched, and `skipped_steps` counts it.

    ``accumulate_fp32=True`` keeps the running sum of bf16/fp16 gradients in float32 buffers
    (rounded once, when the window steps) instead of rounding after every micro-batch; inside a
    window those parameters' `.grad` is None (the sum lives in the buffers, and in `state_dict`).

    Args:
        model: the module (DDP- or FSDP2-wrapped under several ranks).
        optimizer: the torch optimizer over the model's parameters.
        steps: micro-batches per optimizer step (the window).
        scheduler: an LR scheduler of `optimizer`, stepped once per optimizer step.
        clip_grad_norm: clip the window's gradient norm to this, once per window.
        scaler: a ``torch.amp.GradScaler``.
        items: ``"rows"`` or a function batch -> item count; `backward` then takes SUM losses.
        mean_over: ``"rows"`` or a function batch -> item count; `backward` takes MEAN losses.
        drop_last: drop the partial last window of `iterate` instead of scaling it.
        on_nonfinite: ``"raise"`` or ``"skip"`` a window with a non-finite loss.
        step_scheduler_on_skip: step the scheduler when the scaler skipped the step.
        accumulate_fp32: sum bf16/fp16 gradients in float32 buffers (one process).
        norm_type: the norm of `clip_grad_norm`.
        track_grad_norm: record `last_grad_norm` (default: when clipping).
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
        items: Callable[[Any], int] | Literal["rows"] | None = None,
        mean_over: Callable[[Any], int] | Literal["rows"] | None = None,
        drop_last: bool = False,
        on_nonfinite: Literal["raise", "skip"] | None = None,
        step_scheduler_on_skip: bool = False,
        accumulate_fp32: bool = False,
        norm_type: float = 2.0,
        track_grad_norm: bool | None = None,
    ) -> None:
        flags = {
            "drop_last": drop_last,
            "step_scheduler_on_skip": step_scheduler_on_skip,
            "accumulate_fp32": accumulate_fp32,
            "track_grad_norm": track_grad_norm,
        }
        self.on_nonfinite, self._params = _args.check_config(
            model,
            optimizer,
            steps,
            scheduler,
            clip_grad_norm,
            scaler,
            items,
            mean_over,
            on_nonfinite,
            flags,
            norm_type,
        )
        self._kind = _ddp.parallel_kind(model)
        self._world = _ddp.world_size(model)
        if accumulate_fp32 and self._kind is not None:
            raise ValueError(
                "Accumulator: accumulate_fp32 is not supported with DDP/FSDP (the wrapper reduces "
                "the parameters' own .grad); use it on a single process."
            )
        self.model = model
        self.optimizer = optimizer
        self.steps = steps
        self.scheduler = scheduler
        self.clip_grad_norm = clip_grad_norm
        self.scaler = scaler
        self.items = items
        self.mean_over = mean_over
        self.drop_last = drop_last
        self.step_scheduler_on_skip = step_scheduler_on_skip
        self.norm_type = norm_type
        self.track_grad_norm = (
            clip_grad_norm is not None if track_grad_norm is None else track_grad_norm
        )
        if self._kind is None and _ddp.default_world_size() > 1:
            warnings.warn(
                "Accumulator: torch.distributed runs with several ranks but the model is not "
                "DDP/FSDP-wrapped; pass the wrapped model (not model.module), or gradient sync "
                "is not skipped (SG208) and item counts are not summed across ranks (SG207)",
                UserWarning,
                stacklevel=2,
            )
        counter = items if items is not None else mean_over
        self._counter: Callable[[Any], int] | None = count_rows if counter == "rows" else counter
        self._cfg = ITEMS if items is not None else MEAN_OVER if mean_over is not None else MEAN
        self._count_what = "items(batch)" if items is not None else "mean_over(batch)"
        owned = {id(p) for p in model.parameters()}
        self._outside = [p for p in self._params if id(p) not in owned]
        self._multi = self._kind is not None and self._world > 1
        self._device = self._params[0].device if self._params else torch.device("cpu")
        self.accumulate_fp32 = accumulate_fp32
        self._fp32 = (
            [p for p in self._params if p.dtype in _LOW_PRECISION] if accumulate_fp32 else []
        )
        self._fp32_ids = {id(p) for p in self._fp32}
        # backward's lean path: one process, mean mode, no scaler, no float32 buffers.
        self._fast = not self._multi and self._cfg == MEAN and scaler is None and not self._fp32
        self._buffers: dict[int, torch.Tensor] = {}
        self._win = Window()
        self._mb: MicroBatch | None = None  # what the current micro-batch's context said
        self._agreed: Agreement | None = None  # iterate, several ranks: the closing agreement
        self._yielded: int | None = None  # iterate: index of the batch waiting for its backward
        self._in_iterate = False
        self._warned = False  # the unequal-size warning is given once per Accumulator
        self._token_checks = 0  # windows whose token counts were looked at (mean mode)
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

        Takes a window's batches from the loader before yielding the first (so its size and
        item count over all ranks are known), and yields all but the window's last inside the
        model's ``no_sync()``. Under several ranks it takes the next window's batches before the
        current window's last, so the ranks agree on both in one all-reduce; a rank whose loader
        ends first keeps taking part (zero-weight windows) until every rank's loader has ended.
        After a mid-window `load_state_dict`, the first batches complete the interrupted window.

        Args:
            loader: an iterable of batches (a DataLoader, a list), one epoch.
        """
        _args.check_loader(loader)
        return self._iterate_ranks(loader) if self._multi else self._iterate_local(loader)

    def _iterate_local(self, loader: Iterable[B]) -> Iterator[B]:
        it = iter(loader)
        self._in_iterate = True
        sync_off = self._kind is not None
        try:
            while True:
                if self._win.pos:
                    batches = self._resume(it)
                else:
                    batches = list(itertools.islice(it, self.steps))
                    if not batches:
                        return
                    if len(batches) < self.steps and self.drop_last:
                        self.dropped_batches += len(batches)
                        return
                    self._plan_local(batches)
                window = self._win
                last = (window.size or 0) - 1
                for i, batch in enumerate(batches, window.pos):
                    if self._win is not window:
                        raise RuntimeError(
                            "Accumulator.iterate: the window was closed (acc.flush()?) before its "
                            "last batch; iterate() closes windows itself"
                        )
                    self._yielded = i
                    if sync_off and i != last:
                        with self._no_sync():
                            yield batch
                    else:
                        yield batch
                    if self._yielded is not None:
                        raise RuntimeError(
                            "Accumulator.iterate: a yielded batch got no acc.backward(loss); "
                            "call it exactly once per batch, or the window would be mis-scaled"
                        )
        finally:
            self._leave_iterate()

    def _plan_local(self, batches: list[Any]) -> None:
        if self._counter is None:
            pending = None
            if not self._warned:
                # Every micro-batch of the first windows, then the first and the last of each
                # window (a loader's short last batch): a few hundred ns per window.
                some = batches if self._token_checks < 2 else batches[:: max(1, len(batches) - 1)]
                sizes = [rows(b) for b in some]
                if sizes.count(sizes[0]) != len(sizes) and len(set(sizes) - {None}) > 1:
                    if len(some) < len(batches):
                        sizes = [rows(b) for b in batches]
                    pending = ("sizes", sizes, False)
                elif self._token_checks < 2:
                    pending = self._check_tokens(batches)
            self._win = Window(
                size=len(batches),
                div=float(len(batches)),
                mode=MEAN,
                fast=self._fast,
                warn=pending,
            )
            return
        counts, _ = self._survey(batches)
        total = sum(counts or ())
        if total == 0:
            raise ValueError(
                f"Accumulator: the window's micro-batches hold no items ({self._count_what} = "
                f"{counts}); nothing to weight, drop such windows before accumulating"
            )
        self._win = Window(size=len(batches), div=float(total), counts=counts, total=total)

    @contextlib.contextmanager
    def micro_batch(self, batch: Any = None) -> Iterator[None]:
        """Own loop: run each micro-batch's forward and backward inside this context.

        Under DDP with several ranks it is required: it holds ``no_sync()`` open, and the
        Accumulator reduces the window's gradients itself at the window's end (one bucketed
        all-reduce, after the agreement on the window), so ranks whose last windows differ in
        size stay identical. Under FSDP2 the window's last micro-batch syncs through FSDP after
        the ranks agree that every rank has it. Pass the `batch` to let the Accumulator see its
        size (mean mode: the unequal-size warning) or count its items (``items=`` /
        ``mean_over=`` given to the Accumulator).

        Args:
            batch: the micro-batch (optional, see above).
        """
        if self._in_iterate:
            raise RuntimeError(
                "Accumulator.micro_batch: not inside acc.iterate(), which handles the sync itself"
            )
        size = count = None
        if batch is not None:
            if self._counter is not None:
                count = _args.check_items(
                    self._counter(batch), self._count_what, self._cfg == ITEMS
                )
            elif not self._warned:
                size = rows(batch)
        last = self._win.pos == self.steps - 1
        synced = True
        if self._multi:
            synced = self._kind == _ddp.FSDP and last
            if synced:
                a = self._agree([0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
                self._fsdp_uneven(a)
        elif self._kind is not None:
            synced = last
        self._mb = MicroBatch(synced, size, count)
        try:
            if synced:
                yield
            else:
                with self._no_sync():
                    yield
        finally:
            self._mb = None

    # --------------------------------------------------------------------------------- backward
    def backward(self, loss: torch.Tensor, items: int | None = None) -> bool:
        """Backpropagate one micro-batch's loss, scaled for its window; step when the window ends.

        `loss` is the micro-batch's mean loss (mean mode, ``mean_over=``) or its SUM-reduced loss
        (``items=`` here or on the Accumulator). Returns True when this call closed a window (its
        optimizer step ran, or was skipped: see `last_step_skipped`).

        Args:
            loss: the micro-batch's scalar loss.
            items: the items the SUM-reduced `loss` is summed over (own loops without ``items=``).
        """
        win = self._win
        if win.fast and items is None and self._yielded is not None:
            # The common case, kept lean: one process, iterate(), mean mode, no scaler.
            try:
                (loss / win.div).backward()  # type: ignore[operator]
            except (RuntimeError, TypeError, AttributeError):
                _args.check_loss(loss)  # a clear message for a bad loss; else the real error
                raise
            win.losses.append(loss.data)  # read once per window (cheaper than detach())
            win.pos += 1
            self.micro_steps += 1
            self._yielded = None
            if win.pos == win.size:
                if win.warn is not None:
                    self._emit_warning(win, stacklevel=3)
                if self.track_grad_norm:
                    # The gradient norm is computed anyway: one finiteness read covers the
                    # window (a nan/inf loss makes its gradients nan/inf).
                    self._win = Window()
                    self._step(win.losses)
                elif self._local_bad():
                    self._close(None, 1.0)  # the general path names the micro-batches
                else:
                    self._win = Window()
                    self._step()
                return True
            return False
        if not isinstance(loss, torch.Tensor) or loss.dim() or not loss.requires_grad:
            _args.check_loss(loss)
        if self._in_iterate and self._yielded is None:
            raise RuntimeError(
                "Accumulator.backward: called twice for one batch of acc.iterate(); call it once"
            )
        mb = self._mb
        count: int | None = None
        if items is not None:
            if self._cfg == MEAN_OVER:
                raise ValueError(
                    "Accumulator.backward: items= (a SUM-reduced loss) conflicts with "
                    "mean_over= given to the Accumulator (a MEAN loss); pass the mean loss alone"
                )
            count = _args.check_items(items, "items", allow_zero=True)
            mode = ITEMS
            if win.counts is not None and count != win.counts[win.pos]:
                raise ValueError(
                    f"Accumulator.backward: items={count} but {self._count_what} counted "
                    f"{win.counts[win.pos]} for this micro-batch"
                )
        elif win.counts is not None:
            mode = self._cfg
            count = win.counts[win.pos]
        elif self._cfg != MEAN:
            if mb is None or mb.n is None:
                raise ValueError(
                    f"Accumulator.backward: {'items' if self._cfg == ITEMS else 'mean_over'}= was "
                    "given to the Accumulator, so it must see each batch: use "
                    "acc.iterate(loader), or `with acc.micro_batch(batch):` around the "
                    "micro-batch, or pass backward(loss_sum, items=n)"
                )
            mode = self._cfg
            count = mb.n
        else:
            mode = MEAN
        if win.pos and win.mode != mode:
            raise ValueError(
                "Accumulator.backward: items= must be given for every micro-batch of a window or none"
            )
        if self._multi and mb is None:
            raise RuntimeError(
                "Accumulator.backward: with several DDP/FSDP ranks, run each micro-batch's "
                "forward and backward inside `with acc.micro_batch():` (or use acc.iterate), so "
                "that every rank closes each window the same way"
            )
        if win.div is not None and (mode == MEAN or win.counts is not None):
            scaled = loss * ((count or 0) / win.div) if mode == MEAN_OVER else loss / win.div
        elif mode == MEAN:
            scaled = loss / self.steps
        elif mode == MEAN_OVER:
            scaled = loss * float(count)  # type: ignore[arg-type]
        else:
            scaled = loss
        if self._multi and self._in_iterate and win.pos == (win.size or 0) - 1:
            # The ranks agree on this window (and the next) before its gradients are combined.
            seen = win.items_seen + (count or 0)
            self._agreed = self._agree(
                [
                    0.0,
                    win.pos + 1.0,
                    float(seen),
                    float(mode != MEAN),
                    *(win.next_local or NOTHING_NEXT),
                ],
                [*win.losses, loss.detach()],
            )
        if self.scaler is not None:
            scaled = self.scaler.scale(scaled)
        scaled.backward()
        win.losses.append(loss.detach())
        if self._fp32:
            self._move_to_fp32()
        win.mode = mode
        win.fast = win.fast and mode == MEAN
        if count is not None:
            win.items_seen += count
        if mb is not None:
            win.synced = mb.synced
            if mb.rows is not None or (mode == MEAN and not self._in_iterate):
                win.rows.append(mb.rows)
        win.pos += 1
        self.micro_steps += 1
        self._yielded = None
        self._mb = None
        if win.pos >= (win.size if win.size is not None else self.steps):
            agreed, self._agreed = self._agreed, None
            self._close(agreed, active=1.0)
            if self._in_iterate and self._multi:
                self._agreed = agreed
            return True
        return False

    def flush(self) -> bool:
        """Step on the open, partial window (own loop: call after the last micro-batch).

        Its gradients are rescaled to its real size first (mean mode: by ``steps / m``; item
        mode: by its item count). Returns True if a window was open; a no-op otherwise. With
        several ranks call it on every rank: it takes part in the other ranks' windows
        (zero-weight) until every rank has flushed, so ranks with fewer micro-batches neither
        hang nor diverge.
        """
        if not self._multi:
            if self._win.pos == 0:
                return False
            self._close(None, active=0.0)
            return True
        if self._kind == _ddp.FSDP:
            return self._flush_fsdp()
        closed = False
        while True:
            closed = closed or self._win.pos > 0
            a = self._agree(self._closing(active=0.0), self._win.losses)
            self._close(a, active=0.0)
            if a.active == 0:
                return closed

    finish = flush

    # ------------------------------------------------------------------------------- the window
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
        return {
            "steps": self.steps,
            "micro_steps": self.micro_steps,
            "optimizer_steps": self.optimizer_steps,
            "skipped_steps": self.skipped_steps,
            "dropped_batches": self.dropped_batches,
            "last_grad_norm": self.last_grad_norm,
            "window": {
                "size": win.size,
                "div": win.div,
                "counts": win.counts,
                "total": win.total,
                "native": win.native,
                "pos": win.pos,
                "mode": win.mode,
                "items_seen": win.items_seen,
                "bad": self._local_bad(),
                "synced": win.synced,
                "rows": list(win.rows),
            },
            "grads": grads,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()` output (the open window's `.grad` goes back on the parameters).

        Args:
            state: what `state_dict()` returned (also after ``torch.save`` / ``torch.load``).
        """
        _args.check_state(state)
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
        w = state["window"]
        pos = int(w["pos"])
        size = w["size"]
        # States saved before `div` existed planned loss / size (mean) or / total (items).
        div = w.get("div", None if size is None else (w["total"] or size))
        self.micro_steps = int(state["micro_steps"])
        self.optimizer_steps = int(state["optimizer_steps"])
        self.skipped_steps = int(state["skipped_steps"])
        self.dropped_batches = int(state.get("dropped_batches", 0))
        norm = state.get("last_grad_norm")
        self._last_norm = None if norm is None else torch.tensor(norm)
        self._win = Window(
            size=size,
            div=div,
            counts=w["counts"],
            total=w["total"],
            native=bool(w.get("native", True)),
            pos=pos,
            mode=w["mode"],
            items_seen=int(w["items_seen"]),
            bad=int(w.get("bad", 0 if w.get("finite", True) else 1)) if pos else 0,
            synced=bool(w.get("synced", not w.get("unsynced", False))),
            rows=list(w.get("rows", [])),
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
