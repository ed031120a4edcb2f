"""Argument checks for `Accumulator` (bad input fails with a message naming the problem and fix).

Every check here runs before anything is applied: no backward, no step, no state change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from stepguard._unwrap import unwrap_optimizer, unwrap_scheduler


def check_config(
    model: Any,
    optimizer: Any,
    steps: Any,
    scheduler: Any,
    clip_grad_norm: Any,
    scaler: Any,
    items: Any,
    on_nonfinite: Any,
) -> tuple[str, list[nn.Parameter]]:
    """Validate the Accumulator's arguments; return the `on_nonfinite` policy and trainable params."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"Accumulator: model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"Accumulator: optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(
            f"Accumulator: steps must be an int >= 1 (micro-batches per optimizer step), got {steps!r}"
        )
    params = [p for p in model.parameters() if p.requires_grad]
    if scheduler is not None:
        check_scheduler(scheduler, optimizer)
    if scaler is not None:
        check_scaler(scaler, params)
    if clip_grad_norm is not None and not clip_grad_norm > 0:
        raise ValueError(f"Accumulator: clip_grad_norm must be > 0, got {clip_grad_norm!r}")
    if items is not None and not callable(items):
        raise TypeError("Accumulator: items must be a function batch -> item count")
    if on_nonfinite is None:
        # A GradScaler's contract is to skip inf/nan steps; without one, stop loudly.
        return ("skip" if scaler is not None else "raise"), params
    if on_nonfinite not in ("raise", "skip"):
        raise ValueError(
            f"Accumulator: on_nonfinite must be 'raise' or 'skip', got {on_nonfinite!r}"
        )
    return str(on_nonfinite), params


def check_scheduler(scheduler: Any, optimizer: torch.optim.Optimizer) -> None:
    """The scheduler must drive this optimizer, and `step()` without arguments must be its API."""
    if not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"Accumulator: scheduler has no step(); got {type(scheduler).__name__}")
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        raise TypeError(
            "Accumulator: ReduceLROnPlateau needs a metric in step(metric); leave scheduler=None "
            "and call scheduler.step(metric) yourself when acc.backward(...) returns True"
        )
    # Compare the torch objects inside accelerate's / Lightning's wrappers: a scheduler built on
    # the optimizer before `accelerator.prepare` is bound to what the wrapper holds.
    bound = getattr(unwrap_scheduler(scheduler), "optimizer", None)
    if bound is not None and not _same_optimizer(bound, optimizer):
        raise ValueError(
            "Accumulator: the scheduler is bound to a different optimizer "
            "(scheduler.optimizer is not optimizer); build it from the optimizer you pass "
            "here, or its step() will not change this optimizer's learning rate."
        )


def _same_optimizer(a: Any, b: Any) -> bool:
    try:
        return unwrap_optimizer(a) is unwrap_optimizer(b)
    except TypeError:  # not an optimizer (a custom scheduler's attribute): compare as given
        return a is b


def check_scaler(scaler: Any, params: Sequence[torch.Tensor]) -> None:
    """A GradScaler-like object (scale, unscale_, step, update) for the parameters' device."""
    for name in ("scale", "unscale_", "step", "update"):
        if not callable(getattr(scaler, name, None)):
            raise TypeError(
                f"Accumulator: scaler has no {name}(); pass a torch.amp.GradScaler, got "
                f"{type(scaler).__name__}"
            )
    device = getattr(scaler, "_device", None)
    enabled = getattr(scaler, "_enabled", True)
    kinds = {p.device.type for p in params}
    if enabled and isinstance(device, str) and kinds and kinds != {device}:
        raise ValueError(
            f"Accumulator: the GradScaler is bound to device {device!r} but the parameters are on "
            f"{sorted(kinds)}; build it with torch.amp.GradScaler({sorted(kinds)[0]!r})"
        )


def check_loss(loss: Any) -> None:
    """A scalar tensor that requires grad."""
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"Accumulator.backward: loss must be a tensor, got {type(loss).__name__}")
    if loss.dim() != 0:
        raise ValueError(
            f"Accumulator.backward: loss must be a scalar, got shape {tuple(loss.shape)}; "
            "reduce it first (.mean() in mean mode, .sum() with items=)"
        )
    if not loss.requires_grad:
        raise ValueError(
            "Accumulator.backward: loss does not require grad (computed under no_grad?)"
        )


def check_items(value: Any, what: str) -> int:
    """An item count: a positive integer (a 1-element tensor is read, which syncs on GPU)."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"Accumulator: {what} must be one integer count, got shape {tuple(value.shape)}"
            )
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise TypeError(f"Accumulator: {what} must be an integer item count, got {value!r}")
    if value <= 0:
        raise ValueError(
            f"Accumulator: {what} = {value}: a micro-batch must hold at least one item (token or "
            "sample) to be weighted; drop empty micro-batches before accumulating"
        )
    return int(value)
