"""Argument checks for `Accumulator` (bad input fails with a message naming the problem and fix).

Every check here runs before anything is applied: no backward, no step, no state change.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
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
    mean_over: Any,
    on_nonfinite: Any,
    flags: dict[str, Any],
    norm_type: Any,
) -> tuple[str, list[nn.Parameter]]:
    """Validate the Accumulator's arguments; return the `on_nonfinite` policy and the parameters.

    The parameters are every trainable tensor the optimizer holds (in its order), including any
    that live outside `model` (a learnable temperature in the loss): all of them are scaled and
    clipped. An optimizer holding none of the model's parameters is an error.
    """
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
    params = optimizer_params(optimizer)
    owned = {id(p) for p in model.parameters()}
    if params and owned and not any(id(p) in owned for p in params):
        raise ValueError(
            "Accumulator: the optimizer holds none of the model's parameters (was it built on "
            "another model, a copy, or before the model was wrapped/sharded?); build it from "
            "model.parameters() of the model you pass here"
        )
    if scheduler is not None:
        check_scheduler(scheduler, optimizer)
    if scaler is not None:
        check_scaler(scaler, params)
    meta = [n for n, p in model.named_parameters() if p.is_meta]
    if meta:
        raise ValueError(
            f"Accumulator: the model's parameters are on the meta device ({meta[0]!r}, ...): there "
            "is nothing to train; materialise them first (model.to_empty(device=...) and load or "
            "initialise the weights)"
        )
    if clip_grad_norm is not None:
        _positive_number(clip_grad_norm, "clip_grad_norm", "e.g. clip_grad_norm=1.0, or None")
    _positive_number(norm_type, "norm_type", "2.0 for the L2 norm, float('inf') for max-abs")
    if items is not None and mean_over is not None:
        raise ValueError(
            "Accumulator: pass items= (backward takes a SUM-reduced loss) or mean_over= (backward "
            "takes a MEAN loss), not both"
        )
    for name, value in (("items", items), ("mean_over", mean_over)):
        if value is not None and value != "rows" and not callable(value):
            raise TypeError(
                f"Accumulator: {name} must be 'rows' or a function batch -> item count (e.g. "
                f"stepguard.accumulation.count_tokens('labels')), got {value!r}"
            )
    for name, value in flags.items():
        if not isinstance(value, bool) and not (name == "track_grad_norm" and value is None):
            raise TypeError(f"Accumulator: {name} must be True or False, got {value!r}")
    if on_nonfinite is None:
        # A GradScaler's contract is to skip inf/nan steps; without one, stop loudly.
        return ("skip" if scaler is not None else "raise"), params
    if on_nonfinite not in ("raise", "skip"):
        raise ValueError(
            f"Accumulator: on_nonfinite must be 'raise' or 'skip', got {on_nonfinite!r}"
        )
    return str(on_nonfinite), params


def optimizer_params(optimizer: torch.optim.Optimizer) -> list[nn.Parameter]:
    """The trainable tensors `optimizer` holds, each once, in param-group order."""
    seen: set[int] = set()
    out = []
    for group in optimizer.param_groups:
        for p in group["params"]:
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
    return out


def _positive_number(value: Any, name: str, fix: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"Accumulator: {name} must be a number, got {value!r} ({type(value).__name__}); {fix}"
        )
    if math.isnan(value) or value <= 0:
        raise ValueError(f"Accumulator: {name} must be > 0, got {value!r}; {fix}")


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


def check_items(value: Any, what: str, allow_zero: bool = False) -> int:
    """An item count: a whole number >= 1 (>= 0 with `allow_zero`: a sum-reduced loss over no
    items is 0 and weighs nothing). A 1-element tensor is read, which syncs on GPU."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"Accumulator: {what} must be one integer count, got shape {tuple(value.shape)}"
            )
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Accumulator: {what} must be an integer item count (tokens or samples), got {value!r}"
        )
    value = float(value)
    if not math.isfinite(value) or value != math.floor(value):
        raise ValueError(
            f"Accumulator: {what} = {value!r} is not a whole, finite number of items; pass the "
            "count of tokens or samples the micro-batch's loss is summed over"
        )
    if value < 0 or (value == 0 and not allow_zero):
        fix = (
            "a mean over no items is nan; use items= with a SUM-reduced loss, which weighs such "
            "a micro-batch 0"
            if value == 0
            else "a count cannot be negative"
        )
        raise ValueError(
            f"Accumulator: {what} = {value:g}: a micro-batch must hold at least one item (token or "
            f"sample) to be weighted by its mean loss; {fix}"
        )
    return int(value)


def check_loader(loader: Any) -> None:
    """An iterable of batches (a DataLoader, a list), not None, a number or one batch (a dict)."""
    kind = type(loader)
    iterable = hasattr(kind, "__iter__") or hasattr(kind, "__getitem__")
    if loader is None or not iterable or isinstance(loader, (str, bytes, Mapping)):
        what = "None" if loader is None else f"{kind.__name__} {loader!r:.60}"
        hint = "; pass the loader, not one batch" if isinstance(loader, Mapping) else ""
        raise TypeError(
            "Accumulator.iterate: loader must be an iterable of batches (a DataLoader, a list of "
            f"batches), got {what}{hint}"
        )


STATE_KEYS = ("steps", "micro_steps", "optimizer_steps", "skipped_steps", "window", "grads")


def check_state(state: Any) -> None:
    """The dict `Accumulator.state_dict()` returned (as saved, possibly through torch.load)."""
    if not isinstance(state, Mapping):
        raise TypeError(
            "Accumulator.load_state_dict: state must be the dict returned by acc.state_dict(), "
            f"got {type(state).__name__}; load the checkpoint entry you saved it under"
        )
    missing = [k for k in STATE_KEYS if k not in state]
    if missing:
        raise ValueError(
            f"Accumulator.load_state_dict: state lacks {missing}; pass what acc.state_dict() "
            "returned (not the model's or the optimizer's state_dict)"
        )
    if not isinstance(state["window"], Mapping) or not isinstance(state["grads"], (list, tuple)):
        raise ValueError(
            "Accumulator.load_state_dict: state['window'] must be a dict and state['grads'] a "
            "list; pass what acc.state_dict() returned"
        )
