"""The Monitor's hook and patch callbacks: how it sees an unmodified training loop.

`LoopHooks` is the part of `stepguard.monitoring._monitor.Monitor` that the hooks and scoped patches call: the
per-tensor post-accumulate-grad hook and its end-of-backward callback, the DDP forward pre-hook,
the `torch.autograd.backward` / gradient-clipping listeners (`stepguard.monitoring._patch.Listener`), the
wrappers of `scheduler.step` and of the GradScaler's `unscale_` / `step`, and the optimizer step
pre/post hooks. They only read and count (into `DetectorState`) and call what they wrap with the
same arguments; `Monitor` installs them, measures, records and reports.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from stepguard.monitoring import _patch

if TYPE_CHECKING:
    from stepguard.monitoring._detect import DetectorState

__all__ = ["LoopHooks"]


class LoopHooks:
    """The callbacks `Monitor` installs (a base class of `Monitor`; not used on its own)."""

    if TYPE_CHECKING:  # set up by Monitor.__init__ / Monitor.attach; methods provided by Monitor
        state: DetectorState
        optimizer: torch.optim.Optimizer
        scaler: Any
        every: int
        _replay: bool
        _ids: set[int]
        _pre: dict[str, Any] | None

        def _hit(self, code: str, message: str, step: int, key: str = "", **data: Any) -> None: ...

        def _close_window(self, skipped: bool) -> None: ...

        def _measure(self) -> None: ...

    # ---- backward passes, clipping, scheduler and GradScaler -------------------------------

    def _grad_hook(self, p: torch.Tensor) -> None:
        if not self.state.bw_open and not self._replay:
            self.state.bw_open = True
            torch.autograd.Variable._execution_engine.queue_callback(self._end_backward)

    def _end_backward(self) -> None:
        for code, msg in self.state.end_backward():
            self._hit(code, msg, self.state.step + 1)

    def _ddp_forward(self, module: nn.Module, args: Any) -> None:
        self.state.ddp_sync_next = bool(
            torch.is_grad_enabled() and getattr(module, "require_backward_grad_sync", True)
        )

    def _before_backward(self, tensors: Any, grad_tensors: Any) -> None:
        if self._replay:
            return
        loss = tensors if isinstance(tensors, torch.Tensor) else None
        if loss is None and isinstance(tensors, (list, tuple)) and len(tensors) == 1:
            loss = tensors[0]
        if not isinstance(loss, torch.Tensor) or loss.grad_fn is None:
            self.state.pending_factor = None
            return
        factors, stop = _patch.root_scale_factors(loss)
        self.state.pending_items = _patch.mean_loss_items(stop)
        g = grad_tensors
        if isinstance(g, (list, tuple)) and len(g) == 1:
            g = g[0]
        if isinstance(g, torch.Tensor) and g.numel() == 1:
            factors.append(("mul", g))
        self.state.pending_factor = _patch.combine_factors(factors, self._is_scaler_scale)

    def _after_backward(self) -> None:
        self.state.pending_factor = self.state.UNSEEN
        self.state.pending_items = None

    def _is_scaler_scale(self, c: Any) -> bool:
        scale = getattr(self.scaler, "_scale", None)
        return (
            isinstance(c, torch.Tensor)
            and isinstance(scale, torch.Tensor)
            and c.data_ptr() == scale.data_ptr()
        )

    def _on_clip(self, params: list[torch.Tensor], max_norm: float | None, total: Any) -> None:
        if self._replay or not any(id(p) in self._ids for p in params[:4]):
            return
        s = self.state
        s.clip_at.append(s.bw)
        sc = self.scaler
        if sc is not None and sc.is_enabled() and s.bw > 0 and not s.unscaled:
            self._hit(
                "SG204",
                "gradients were clipped while still multiplied by the GradScaler's scale "
                "(scaler.unscale_(optimizer) was not called before clipping)",
                s.step + 1,
            )
        if max_norm is not None and isinstance(total, torch.Tensor):
            total = total.detach()
            hit = (total + 1e-6 > max_norm).float()  # exactly when torch's clip coef is < 1
            s.clip_calls += 1
            s.clip_hits = hit if s.clip_hits is None else s.clip_hits + hit
            s.last_clip_norm, s.last_clip_hit = total, hit

    def _wrap_scheduler(self, orig: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            s = self.state
            if not s.active:
                return orig(*args, **kwargs)
            s.sched += 1
            s.sched_total += 1
            if s.skip_pending:
                s.skip_pending = False
                self._hit(
                    "SG211",
                    f"scheduler.step() ran after the GradScaler skipped optimizer step {s.step}",
                    s.step,
                )
            # torch warns about the user's call order with stacklevel=2, which would name this
            # wrapper; re-issue its warnings so they point at the user's scheduler.step() line.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = orig(*args, **kwargs)
            for w in caught:
                warnings.warn(w.message, w.category, stacklevel=2)
            return out

        return step

    def _wrap_unscale(self, orig: Callable[..., Any]) -> Callable[..., Any]:
        def unscale_(optimizer: Any, *args: Any, **kwargs: Any) -> Any:
            if optimizer is self.optimizer and self.state.active:
                self.state.unscaled = True
            return orig(optimizer, *args, **kwargs)

        return unscale_

    def _wrap_scaler_step(self, orig: Callable[..., Any]) -> Callable[..., Any]:
        def step(optimizer: Any, *args: Any, **kwargs: Any) -> Any:
            if optimizer is not self.optimizer or not self.state.active:
                return orig(optimizer, *args, **kwargs)
            s = self.state
            before = s.opt_steps
            scale = getattr(self.scaler, "_scale", None)
            if self._instrumented(s.step + 1) and isinstance(scale, torch.Tensor):
                s.scale_at_step = scale.detach().clone()
            out = orig(optimizer, *args, **kwargs)
            if s.opt_steps == before:  # optimizer.step() did not run: inf/nan gradients
                s.skipped_steps += 1
                self._close_window(skipped=True)
                s.skip_pending = True
            return out

        return step

    def _instrumented(self, step: int) -> bool:
        return (step - 1) % self.every == 0

    # ---- optimizer step hooks --------------------------------------------------------------

    def _pre_step(self, opt: Any, args: Any, kwargs: Any) -> tuple[Any, Any] | None:
        self._pre = None
        instrumented = self._instrumented(self.state.step + 1)
        # `args` is (optimizer, *positional): torch's hook wrapper passes the bound self too.
        by_keyword = kwargs.get("closure") is not None
        closure = kwargs["closure"] if by_keyword else (args[1] if len(args) > 1 else None)
        if closure is None:
            if instrumented:
                self._measure()
            return None
        # step(closure): the forward/backward run inside step(), after this hook, so measure
        # once the closure's first call returned (before the optimizer reads the gradients).
        # Later calls (LBFGS re-evaluates) recompute the same step's gradients: not watched.
        calls = [0]

        def closure_then_measure() -> Any:
            calls[0] += 1
            if calls[0] == 1:
                out = closure()
                if instrumented:
                    self._measure()
                return out
            was = self._replay, self.state.active
            self._replay, self.state.active = True, False
            try:
                return closure()
            finally:
                self._replay, self.state.active = was

        if by_keyword:
            return args, {**kwargs, "closure": closure_then_measure}
        return (args[0], closure_then_measure, *args[2:]), kwargs

    def _post_step(self, opt: Any, args: Any, kwargs: Any) -> None:
        self.state.opt_steps += 1
        self._close_window(skipped=False)
