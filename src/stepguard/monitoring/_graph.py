"""Reading the root of a loss's backward graph: the constant scale factors and the item count.

`root_scale_factors` walks from ``loss.grad_fn`` through multiplications / divisions by
one-element constants and shape-only nodes; `combine_factors` multiplies what it found (leaving out
the GradScaler's scale); `mean_loss_items` reads the count a mean-reduced `cross_entropy` /
`nll_loss` divided by. A few Python attribute reads per backward pass; nothing is read from a
device.
"""

from __future__ import annotations

import math
import os
import sys
import sysconfig
from collections.abc import Callable, Hashable, Iterable
from types import CodeType
from typing import Any

import torch

__all__ = ["call_site", "combine_factors", "mean_loss_items", "root_scale_factors"]

# torch's own frames and stepguard's (the Monitor's dispatchers, the Accumulator's backward)
_SKIP = (
    os.path.dirname(torch.__file__) + os.sep,
    os.path.dirname(os.path.dirname(__file__)) + os.sep,
)
_STDLIB = tuple(
    {
        sysconfig.get_paths()[k] + os.sep
        for k in ("stdlib", "platstdlib")
        if k in sysconfig.get_paths()
    }
)
_library: dict[CodeType, bool] = {}


def _is_library(code: CodeType) -> bool:
    known = _library.get(code)
    if known is None:
        f = code.co_filename
        known = _library[code] = (
            "site-packages" in f or "dist-packages" in f or f.startswith(_STDLIB)
        )
    return known


def call_site() -> Hashable:
    """Where the running `torch.autograd.backward` call comes from: the innermost frame outside
    torch and stepguard, and the innermost frame outside those, installed packages and the
    standard library (the user's line, when the call goes through a framework:
    ``accelerator.backward``, Lightning's ``manual_backward``).

    Micro-batches of one loss repeat one call site; terms of a loss each backpropagated from its
    own line (``errD_real.backward(); errD_fake.backward()``) have different ones. The frames
    further out are left out on purpose: Lightning reaches the same ``loss.backward()`` through
    ``optimizer.step(closure)`` on a window's last micro-batch and directly on the others.
    """
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_SKIP):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    inner = (frame.f_code, frame.f_lineno)
    while frame is not None and (
        _is_library(frame.f_code) or frame.f_code.co_filename.startswith(_SKIP)
    ):
        frame = frame.f_back  # type: ignore[assignment]
    return inner, (frame.f_code, frame.f_lineno) if frame is not None else None


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
