"""The Monitor's hooks: how it sees an unmodified training loop.

`LoopHooks` is an object the `Monitor` owns. `install()` watches, through
`stepguard.monitoring._patch` (which stores nothing on the watched objects), the optimizer's
steps, `zero_grad` of the optimizer and the model, `scheduler.step`, the GradScaler's `unscale_` /
`step`, a DDP model's `forward`, and the process-wide `torch.autograd.backward` /
gradient-clipping functions; during watched windows it also puts a post-accumulate-grad hook on
every trainable tensor. `remove()` takes all of it out again, and `install()` does so itself when
it fails half-way.

The handlers only read and call what they wrap with the same arguments. Each translates what it
saw into one event of the detector state (`stepguard.monitoring._detect.DetectorState`); findings
the state returns, the moment a window closes and the moment to measure are handed to the owner
through the callables given to the constructor.

Cost between watched windows (``every > 1``): the tensor hooks are removed; a backward call, a
scheduler step and an optimizer step each cost one Python call that increments a counter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from stepguard.monitoring import _graph, _patch
from stepguard.monitoring._checks import Issue, Pass, penalty_issue
from stepguard.monitoring._detect import DetectorState
from stepguard.monitoring._instruments import ParamTable

__all__ = ["LoopHooks"]

Report = Callable[[Issue, int], None]


def _consumed(p: Pass) -> bool:
    """Another optimizer's step already used this pass's gradients."""
    return _patch.consumed(p.pid) or p.unrecorded < _patch.unrecorded_steps()


class LoopHooks:
    """The hooks of one Monitor, on one model / optimizer (/ scheduler, scaler).

    Args:
        state: the detector state the events go to.
        model: the watched module.
        optimizer: the watched torch optimizer.
        table: the optimizer's trainable tensors (`ParamTable`), hooked in watched windows.
        scheduler: the watched LR scheduler, or None.
        scaler: the watched GradScaler, or None.
        every: watch (and instrument) steps 1, 1 + every, 1 + 2 * every, ...
        report: ``report(issue, step)`` for each finding the events produce.
        close_window: ``close_window(skipped)`` when an optimizer step (or a GradScaler-skipped
            step) ends the window: the owner judges and records it.
        begin_step: called when `optimizer.step()` starts (its pre-hook), before any reading.
        measure: called on a watched step once its gradients are final, before the update.
    """

    def __init__(
        self,
        state: DetectorState,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        table: ParamTable,
        scheduler: Any,
        scaler: Any,
        every: int,
        *,
        report: Report,
        close_window: Callable[[bool], None],
        begin_step: Callable[[], None],
        measure: Callable[[], None],
    ) -> None:
        self.state = state
        self.model = model
        self.optimizer = optimizer
        self.table = table
        self.scheduler = scheduler
        self.scaler = scaler
        self.every = every
        self._report = report
        self._close = close_window
        self._begin_step = begin_step
        self._measure = measure
        self._params = [p for p in [*table.params, *model.parameters()] if p.requires_grad]
        self._params = list({id(p): p for p in self._params}.values())
        self._ids = {id(p) for p in table.params} | {id(p) for p in model.parameters()}
        self._replay = False  # inside a second call of a step's closure (LBFGS)
        self._handles: list[Any] = []  # post-accumulate-grad hooks (armed in watched windows)
        self._watches: list[_patch.Watch] = []
        self._penalty_checked = False  # SG103: the first pass's graph was read (once)
        self._penalised: dict[int, str] | None = None

    def watched(self, step: int) -> bool:
        """Whether the window of optimizer step `step` (from 1) is watched and instrumented."""
        return (step - 1) % self.every == 0

    # ---- installing ------------------------------------------------------------------------

    def install(self) -> None:
        """Watch the loop. On any error, what was installed so far is removed again before the
        error propagates."""
        model, opt = self.model, self.optimizer
        try:
            self._watches.append(_patch.watch_steps(opt, self._pre_step, self._post_step))
            if isinstance(model, nn.parallel.DistributedDataParallel):
                self._watches.append(_patch.watch(model, "forward", self._ddp_forward))
            self._watches.append(_patch.watch(opt, "zero_grad", self._zero_grad))
            self._watches.append(_patch.watch(model, "zero_grad", self._zero_grad))
            if self.scheduler is not None:
                self._watches.append(
                    _patch.watch(
                        self.scheduler, "step", self._scheduler_step, warnings_at_caller=True
                    )
                )
            if self.scaler is not None:
                self._watches.append(_patch.watch(self.scaler, "unscale_", self._unscale))
                self._watches.append(_patch.watch(self.scaler, "step", self._scaler_step))
            _patch.subscribe(self)
            watched = self.watched(self.state.step + 1)
            if watched:
                self._arm()
        except BaseException:
            self.remove()
            raise
        self.state.start(watched)
        self.state.lr_baseline(self._lrs())

    def remove(self) -> list[str]:
        """Take out every hook and handler; restore every patched class once no other Monitor
        watches one of its instances. Idempotent. Returns the classes' attributes that someone
        else patched again after us (left in place; our layer under them passes through)."""
        _patch.unsubscribe(self)
        self.state.stop()
        stuck = [
            f"{w.patch.cls.__name__}.{w.patch.name}"
            for w in reversed(self._watches)
            if not _patch.unwatch(w) and w.patch is not None
        ]
        self._watches = []
        self._disarm()
        return stuck

    def _arm(self) -> None:
        if not self._handles:
            hook = self._grad_hook
            self._handles = [p.register_post_accumulate_grad_hook(hook) for p in self._params]

    def _disarm(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def _lrs(self) -> tuple[Any, ...]:
        out = []
        for g in self.optimizer.param_groups:
            lr = g.get("lr")
            if isinstance(lr, torch.Tensor):  # no device read: the tensor and its version
                lr = float(lr) if lr.device.type == "cpu" else (id(lr), lr._version)
            out.append(lr)
        return tuple(out)

    def _end_window(self, skipped: bool) -> None:
        s = self.state
        if s.window.watched:
            _patch.mark_consumed(p.pid for p in s.window.passes)
        else:
            _patch.step_unrecorded()
        self._close(skipped)
        watched = self.watched(s.step + 1)
        s.next_window(watched)
        if watched:
            self._arm()
            s.lr_baseline(self._lrs())
        else:
            self._disarm()

    # ---- backward passes -------------------------------------------------------------------

    def _before_backward(self, tensors: Any, grad_tensors: Any) -> None:
        s = self.state
        if self._replay or not s.active:
            return
        s.backward_called()
        if not s.window.watched:
            return
        loss = tensors if isinstance(tensors, torch.Tensor) else None
        if loss is None and isinstance(tensors, (list, tuple)) and len(tensors) == 1:
            loss = tensors[0]
        key = _graph.call_site()
        if not isinstance(loss, torch.Tensor) or loss.grad_fn is None:
            s.loss_seen(None, None, key, _patch.current_pass())
            return
        if not self._penalty_checked and loss.numel() == 1:
            self._penalised = self._penalties(loss)
        factors, stop = _graph.root_scale_factors(loss)
        items = _graph.mean_loss_items(stop)
        g = grad_tensors
        if isinstance(g, (list, tuple)) and len(g) == 1:
            g = g[0]
        if isinstance(g, torch.Tensor) and g.numel() == 1:
            factors.append(("mul", g))
        factor = _graph.combine_factors(factors, self._is_scaler_scale)
        s.loss_seen(factor, items, key, _patch.current_pass())

    def _penalties(self, loss: torch.Tensor) -> dict[int, str]:
        from stepguard.auditing._penalties import find_penalties  # the audit's graph analysis

        return {id(pen.param): pen.op for pen in find_penalties(loss) if id(pen.param) in self._ids}

    def _grad_hook(self, p: torch.Tensor) -> None:
        s = self.state
        if not self._replay and s.begin_backward() and not s.in_call:
            # a pass that did not start with torch.autograd.backward: end it with the engine
            torch.autograd.Variable._execution_engine.queue_callback(self._end_backward)

    def _end_backward(self) -> None:
        s = self.state
        for issue in s.end_backward(_patch.unrecorded_steps()):
            self._report(issue, s.step + 1)
        s.lr_seen(self._lrs())

    def _after_backward(self) -> None:
        s = self.state
        if not s.in_call:
            return
        reached = s.bw_open
        if reached:
            self._end_backward()
        if self._penalised is not None and reached:
            self._penalty_checked = True  # once: the first pass that reached the model
            for issue in penalty_issue(self.table, self._penalised):
                self._report(issue, s.step + 1)
        self._penalised = None
        s.loss_done()

    def _is_scaler_scale(self, c: Any) -> bool:
        scale = getattr(self.scaler, "_scale", None)
        return (
            isinstance(c, torch.Tensor)
            and isinstance(scale, torch.Tensor)
            and c.data_ptr() == scale.data_ptr()
        )

    # ---- clipping, zeroing, scheduler, GradScaler, DDP --------------------------------------

    def _on_clip(self, params: list[torch.Tensor], max_norm: float | None, total: Any) -> None:
        s = self.state
        if self._replay or not s.window.watched or not any(id(p) in self._ids for p in params[:4]):
            return
        sc = self.scaler
        enabled = sc is not None and bool(sc.is_enabled())
        for issue in s.clipped(max_norm, total, enabled):
            self._report(issue, s.step + 1)

    def _zero_grad(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.state.zero_grad_called(_consumed)
        return call(*args, **kwargs)

    def _ddp_forward(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # DDP decides in its forward whether the backward pass it prepares will all-reduce.
        sync = getattr(self.model, "require_backward_grad_sync", True)
        self.state.ddp_forward(bool(torch.is_grad_enabled() and sync))
        return call(*args, **kwargs)

    def _scheduler_step(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        s = self.state
        if not s.active:
            return call(*args, **kwargs)
        for issue in s.scheduler_stepped():
            self._report(issue, s.step)
        return call(*args, **kwargs)  # (its warnings name the user's line: see `watch` below)

    def _unscale(self, call: Callable[..., Any], optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        if optimizer is self.optimizer and self.state.active:
            self.state.grads_unscaled()
        return call(optimizer, *args, **kwargs)

    def _scaler_step(
        self, call: Callable[..., Any], optimizer: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if optimizer is not self.optimizer or not self.state.active:
            return call(optimizer, *args, **kwargs)
        s = self.state
        before = s.opt_steps
        scale = getattr(self.scaler, "_scale", None)
        if s.window.watched and isinstance(scale, torch.Tensor):
            s.scaler_stepping(scale.detach().clone())
        out = call(optimizer, *args, **kwargs)
        if s.opt_steps == before:  # optimizer.step() did not run: inf/nan gradients
            s.step_skipped()
            self._end_window(True)
        return out

    # ---- optimizer step hooks --------------------------------------------------------------

    def _pre_step(self, opt: Any, args: Any, kwargs: Any) -> tuple[Any, Any] | None:
        self._begin_step()
        watched = self.state.window.watched
        # `args` is (optimizer, *positional): torch's hook wrapper passes the bound self too.
        by_keyword = kwargs.get("closure") is not None
        closure = kwargs["closure"] if by_keyword else (args[1] if len(args) > 1 else None)
        if closure is None:
            if watched:
                self.state.lr_seen(self._lrs())
                self._measure()
            return None
        # step(closure): the forward/backward run inside step(), after this hook, so measure
        # once the closure's first call returned (before the optimizer reads the gradients).
        # Later calls (LBFGS re-evaluates) recompute the same step's gradients: not counted.
        calls = [0]

        def closure_then_measure() -> Any:
            calls[0] += 1
            if calls[0] == 1:
                out = closure()
                if watched:
                    self.state.lr_seen(self._lrs())
                    self._measure()
                return out
            was = self._replay
            self._replay = True
            try:
                with self.state.suspended():
                    return closure()
            finally:
                self._replay = was

        if by_keyword:
            return args, {**kwargs, "closure": closure_then_measure}
        return (args[0], closure_then_measure, *args[2:]), kwargs

    def _post_step(self, opt: Any, args: Any, kwargs: Any) -> None:
        self.state.optimizer_stepped()
        self._end_window(False)
