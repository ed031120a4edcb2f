"""Find explicit norm penalties on parameters in a loss's autograd graph (the audit's SG103 check).

The graph is read, never re-run: starting at ``loss.grad_fn`` every node is visited once through
``next_functions``; each parameter appears as the ``AccumulateGrad`` leaf whose ``.variable`` is
that parameter. A parameter is *penalised* when, going from its leaf toward the loss:

1. it passes only through layout ops that do not change values (view, reshape, flatten, t,
   transpose, permute, clone, dtype/device copy, cat, stack: ``parameters_to_vector`` is a cat
   of views);
2. then reaches a *penalty op*: ``pow(2)`` (``p ** 2``, ``p.pow(2)``, ``p.square()``), ``abs``
   (an L1 penalty), a vector norm (``p.norm()``, ``torch.norm``, ``torch.linalg.norm`` /
   ``vector_norm``), or ``mul`` / ``dot`` of the parameter with itself (``(p * p).sum()``);
3. and from that op on reaches the loss only additively: through add / sub / stack / cat (which
   may combine it with other loss terms) and through reductions, views, sqrt, pow, neg, and mul /
   div by constants (``1e-4 * penalty``, ``penalty / accum_steps``) -- never multiplied by, or
   dividing, anything that depends on parameters.

Rule 3 is what separates a penalty from other uses: in the forward a parameter reaches ``mm`` /
``addmm`` / ``convolution`` / ``embedding`` / ``native_layer_norm``, and even a norm of a weight
computed in the forward (weight normalisation, cosine classifiers) flows on into such an op; a
learned loss weight (``ce / (2 * sigma ** 2) + log(sigma)``, uncertainty weighting) multiplies
another loss term instead of being added.

Limits: ops inside a ``torch.compile``'d or checkpointed region are one opaque node (a penalty
computed inside a compiled module is not seen; one computed outside, as usual, is); a penalty
toward a reference point (``(p - p0).pow(2)``, L2-SP) or written as ``mse_loss(p, zeros)`` is not
recognised; a penalty on a parameter after arithmetic (``(2 * p).pow(2)``) is not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch

__all__ = ["Penalty", "find_penalties"]

# Node type names with the trailing version digits removed ("ViewBackward0" -> "ViewBackward").
_LAYOUT = frozenset(
    {
        "ViewBackward",
        "ReshapeAliasBackward",
        "UnsafeViewBackward",
        "AliasBackward",
        "TBackward",
        "TransposeBackward",
        "PermuteBackward",
        "CloneBackward",
        "ToCopyBackward",
        "CatBackward",
        "StackBackward",
        "UnsqueezeBackward",
        "SqueezeBackward",
    }
)
_NORMS = frozenset({"LinalgVectorNormBackward", "NormBackward"})
_SELF_PRODUCTS = frozenset({"MulBackward", "DotBackward", "VdotBackward"})
_SCALAR_ARITHMETIC = _LAYOUT | {
    "AddBackward",
    "SubBackward",
    "RsubBackward",
    "MulBackward",
    "DivBackward",
    "PowBackward",
    "SqrtBackward",
    "NegBackward",
    "SumBackward",
    "MeanBackward",
    "LinalgVectorNormBackward",
    "NormBackward",
    "ExpandBackward",
}
# Ops that may combine the penalty with other differentiable terms (other loss terms, penalties).
_ADDITIVE = frozenset(
    {"AddBackward", "SubBackward", "RsubBackward", "StackBackward", "CatBackward"}
)
_DIGITS = re.compile(r"\d+$")


def _kind(node: Any) -> str:
    return _DIGITS.sub("", type(node).__name__)


@dataclass(frozen=True)
class Penalty:
    """One parameter whose value enters the loss through a norm penalty; `op` names the penalty op."""

    param: torch.Tensor
    op: str


def _nodes(root: Any) -> Iterator[Any]:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(child for child, _ in node.next_functions)


def _penalty_op(node: Any, leaf: Any) -> str | None:
    kind = _kind(node)
    if kind == "PowBackward" and getattr(node, "_saved_exponent", None) == 2:
        return "pow(2)"
    if kind == "AbsBackward":
        return "abs"
    if kind in _NORMS:
        return "norm"
    if kind in _SELF_PRODUCTS:
        inputs = [child for child, _ in node.next_functions]
        if len(inputs) == 2 and all(leaf in _layout_leaves(c) for c in inputs):
            return "p * p" if kind == "MulBackward" else "dot(p, p)"
    return None


def _layout_leaves(node: Any) -> set[Any]:
    """The AccumulateGrad leaves reachable from `node` through layout ops only."""
    out: set[Any] = set()
    seen: set[Any] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        if hasattr(n, "variable"):
            out.add(n)
        elif _kind(n) in _LAYOUT:
            stack.extend(c for c, _ in n.next_functions)
    return out


def find_penalties(loss: torch.Tensor) -> list[Penalty]:
    """The parameters (autograd leaves) that `loss` penalises by their own norm; see the module doc.

    Each leaf is reported once, in graph order. `loss` must have a ``grad_fn``.
    """
    root = loss.grad_fn
    parents: dict[Any, list[Any]] = {}
    leaves: list[Any] = []
    for node in _nodes(root):
        if hasattr(node, "variable"):
            leaves.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                parents.setdefault(child, []).append(node)

    found: list[Penalty] = []
    additive: set[Any] = set()
    for leaf in leaves:
        op = _find_penalty_from(leaf, parents, root, additive)
        if op is not None:
            found.append(Penalty(param=leaf.variable, op=op))
    return found


def _find_penalty_from(
    leaf: Any, parents: dict[Any, list[Any]], root: Any, additive: set[Any]
) -> str | None:
    # Walk down from the leaf through layout ops to candidate penalty ops.
    stack = list(parents.get(leaf, []))
    seen: set[Any] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        op = _penalty_op(node, leaf)
        if op is not None:
            if _enters_additively(node, parents, root, additive):
                return op
        elif _kind(node) in _LAYOUT:
            stack.extend(parents.get(node, []))
    return None


def _enters_additively(
    start: Any, parents: dict[Any, list[Any]], root: Any, additive: set[Any]
) -> bool:
    """Every path from `start` to `root` adds the value in, scaled only by constants.

    `additive` holds nodes already proven so (a property of the node, not of the path to it); it
    is extended on success, so many penalty terms summed into one loss are checked in linear time.
    """
    stack = [start]
    seen = {start}
    while stack:
        node = stack.pop()
        if node is root or node in additive:
            continue
        for parent in parents.get(node, []):
            kind = _kind(parent)
            if kind not in _SCALAR_ARITHMETIC:
                return False
            inputs = [child for child, _ in parent.next_functions]
            if kind not in _ADDITIVE and any(c is not None and c is not node for c in inputs):
                return False  # multiplied or divided by something that depends on parameters
            if kind == "DivBackward" and inputs[0] is not node:
                return False  # in the denominator: not a penalty
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    additive.update(seen)
    return True
