"""Scoped, exactly reversible patches for the Monitor.

Two kinds:

* `AttrPatch` replaces one attribute of one object (an optimizer's `zero_grad`, a scheduler's
  `step`, a GradScaler's `unscale_`/`step`/`update`) and restores the object's own `__dict__` to what
  it was: a method that was only found on the class is deleted again, an instance attribute (for
  example the `step` wrapper torch's LR schedulers install on the optimizer) is put back as the same
  object.
* The process-wide patches of torch functions (`torch.autograd.backward` and the gradient-clipping
  functions) are installed once while at least one Monitor is attached, and every attached Monitor
  hears every call. They call the original function with the same arguments (a generator of
  parameters is turned into a list first, which the originals do themselves), so training is
  unchanged.

Limit: code that imported `clip_grad_value_` by name before the Monitor attached holds the original
function object and is not seen. `clip_grad_norm_` is seen however it was imported, because the
patch sits on the helper it calls (`torch.nn.utils.clip_grad._clip_grads_with_norm_`, torch >= 2.6);
on older torch only calls through the module attributes are seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import torch
import torch.nn.utils as nn_utils
import torch.nn.utils.clip_grad as clip_grad_mod

__all__ = [
    "AttrPatch",
    "Listener",
    "mean_loss_items",
    "root_scale_factors",
    "subscribe",
    "unsubscribe",
]

_MISSING = object()


class AttrPatch:
    """Replace `owner.name` with `replacement` until `restore()`."""

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner = owner
        self.name = name
        own = vars(owner)
        self.saved = own.get(name, _MISSING)
        self.original = getattr(owner, name)
        self.replacement = replacement
        setattr(owner, name, replacement)

    def restore(self) -> bool:
        """Put back exactly what the owner held before (or delete the instance attribute).

        If someone replaced the attribute again after us (another Monitor attached later and still
        attached), nothing is changed and False is returned: removing our layer would remove theirs
        too. Our replacement must then behave as a pass-through (the Monitor's do, once detached).
        """
        if vars(self.owner).get(self.name) is not self.replacement:
            return False
        if self.saved is _MISSING:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self.saved)
        return True


class Listener(Protocol):
    """What the process-wide patches call on each attached Monitor."""

    def _on_clip(self, params: list[torch.Tensor], max_norm: float | None, total: Any) -> None: ...

    def _before_backward(self, tensors: Any, grad_tensors: Any) -> None: ...

    def _after_backward(self) -> None: ...


_listeners: list[Listener] = []
_installed: list[AttrPatch] = []


def _as_list(parameters: Any) -> list[torch.Tensor]:
    if isinstance(parameters, torch.Tensor):
        return [parameters]
    return list(parameters)


def _install() -> None:
    orig_backward = torch.autograd.backward

    def backward(tensors: Any, grad_tensors: Any = None, *args: Any, **kwargs: Any) -> Any:
        for lis in tuple(_listeners):
            lis._before_backward(tensors, grad_tensors)
        try:
            return orig_backward(tensors, grad_tensors, *args, **kwargs)
        finally:
            for lis in tuple(_listeners):
                lis._after_backward()

    _installed.append(AttrPatch(torch.autograd, "backward", backward))

    def notify(params: list[torch.Tensor], max_norm: float | None, total: Any) -> None:
        for lis in tuple(_listeners):
            lis._on_clip(params, max_norm, total)

    inner = getattr(clip_grad_mod, "_clip_grads_with_norm_", None)
    if inner is not None:
        # clip_grad_norm_ calls this module global, so this one patch sees clip_grad_norm_ however
        # the user imported it, and the public clip_grads_with_norm_ through the module attribute.
        def clip_grads_with_norm_(
            parameters: Any, max_norm: float, total_norm: torch.Tensor, foreach: Any = None
        ) -> None:
            params = _as_list(parameters)
            notify(params, float(max_norm), total_norm)
            inner(params, max_norm, total_norm, foreach)

        _installed.append(AttrPatch(clip_grad_mod, "_clip_grads_with_norm_", clip_grads_with_norm_))
        if getattr(nn_utils, "clip_grads_with_norm_", None) is inner:
            _installed.append(AttrPatch(nn_utils, "clip_grads_with_norm_", clip_grads_with_norm_))
    else:  # torch < 2.6: patch the public function where users look it up
        orig_norm = clip_grad_mod.clip_grad_norm_

        def clip_grad_norm_(parameters: Any, max_norm: float, *args: Any, **kwargs: Any) -> Any:
            params = _as_list(parameters)
            total = orig_norm(params, max_norm, *args, **kwargs)
            notify(params, float(max_norm), total)
            return total

        for mod in (clip_grad_mod, nn_utils):
            if getattr(mod, "clip_grad_norm_", None) is orig_norm:
                _installed.append(AttrPatch(mod, "clip_grad_norm_", clip_grad_norm_))

    orig_value = clip_grad_mod.clip_grad_value_

    def clip_grad_value_(parameters: Any, clip_value: float, *args: Any, **kwargs: Any) -> Any:
        params = _as_list(parameters)
        notify(params, None, None)
        return orig_value(params, clip_value, *args, **kwargs)

    for mod in (clip_grad_mod, nn_utils):
        if getattr(mod, "clip_grad_value_", None) is orig_value:
            _installed.append(AttrPatch(mod, "clip_grad_value_", clip_grad_value_))


def subscribe(listener: Listener) -> None:
    """Start delivering backward and clipping calls to `listener` (installs the patches)."""
    if not _listeners:
        _install()
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    """Stop delivering to `listener`; the last one out restores every torch function."""
    if listener in _listeners:
        _listeners.remove(listener)
    if not _listeners:
        while _installed:
            _installed.pop().restore()  # only stepguard patches these; always the top layer


# Nodes a scalar loss may pass through between the scaling and the root without changing its scale.
_TRANSPARENT = frozenset(
    {
        "ToCopyBackward0",
        "MeanBackward0",
        "SumBackward0",
        "CloneBackward0",
        "ViewBackward0",
        "UnsafeViewBackward0",
        "ReshapeAliasBackward0",
        "AliasBackward0",
        "SqueezeBackward0",
        "SqueezeBackward1",
        "UnsqueezeBackward0",
        "ExpandBackward0",
    }
)


def root_scale_factors(loss: torch.Tensor, max_depth: int = 8) -> tuple[list[tuple[str, Any]], Any]:
    """The constant scalar multiplications and divisions at the root of `loss`'s backward graph.

    Walks from `loss.grad_fn` toward the leaves while each node has exactly one input that needs a
    gradient and is either a multiplication/division by a one-element constant (recorded as
    ``("mul", c)`` or ``("div", c)``, `c` a tensor or number) or a shape/dtype-only node (a cast,
    a view, a sum or mean of one element). Stops at the first other node, so `loss_a + loss_b` or a
    per-element weighting ends the walk. Returns the factors and the node the walk stopped at.
    Costs a few Python attribute reads; reads nothing from the device.
    """
    out: list[tuple[str, Any]] = []
    node = loss.grad_fn
    for _ in range(max_depth):
        if node is None:
            break
        name = type(node).__name__
        nexts = node.next_functions
        live = [i for i, (fn, _) in enumerate(nexts) if fn is not None]
        if len(live) != 1:
            break
        if name in ("MulBackward0", "DivBackward0") and len(nexts) == 2:
            side = live[0]
            try:
                if name == "DivBackward0":
                    if side != 0:  # c / loss is not a scaling of the loss
                        break
                    const = node._saved_other  # type: ignore[attr-defined]
                else:
                    const = node._saved_other if side == 0 else node._saved_self  # type: ignore[attr-defined]
            except RuntimeError:  # saved values already freed
                break
            if isinstance(const, torch.Tensor) and const.numel() != 1:
                break
            out.append(("mul" if name == "MulBackward0" else "div", const))
        elif name not in _TRANSPARENT:
            break
        node = nexts[live[0]][0]
    return out, node


_NLL = frozenset({"NllLossBackward0", "NllLoss2DBackward0", "NllLoss2dBackward0"})


def mean_loss_items(node: Any) -> torch.Tensor | None:
    """The item count a mean-reduced `cross_entropy` / `nll_loss` divided by, if `node` is one.

    That is the loss's saved ``total_weight``: the number of targets not equal to
    ``ignore_index`` (or the sum of their class weights). A 0-d tensor, not read to the host.
    """
    if node is None or type(node).__name__ not in _NLL:
        return None
    try:
        if node._saved_reduction != 1:  # 1 = mean
            return None
        items = node._saved_total_weight
    except (AttributeError, RuntimeError):
        return None
    return items.detach() if isinstance(items, torch.Tensor) else None


def combine_factors(
    factors: Iterable[tuple[str, Any]], skip: Callable[[Any], bool]
) -> float | None:
    """Multiply the recorded factors into one number; `None` if one of them lives on a device.

    `skip(c)` says a constant is not the user's scaling (the GradScaler's scale tensor).
    A constant on an accelerator is not read (that would synchronise): the loss is then taken to be
    scaled by an unknown amount and `None` is returned.
    """
    value = 1.0
    for kind, const in factors:
        if skip(const):
            continue
        if isinstance(const, torch.Tensor):
            if const.device.type != "cpu":
                return None
            c = float(const)
        else:
            c = float(const)
        if kind == "div":
            value = value / c if c != 0 else math.inf
        else:
            value *= c
    return value
