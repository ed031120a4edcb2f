"""Windows whose every micro-batch backpropagates the loss of the whole accumulated batch (SG201).

The cached-recompute pattern (OpenCLIP's ``accum_freq``, GradCache): a first pass runs every
micro-batch's forward under ``torch.no_grad()`` and caches its outputs across the iterations of
the loop; once the window is full, a second loop recomputes each micro-batch with a graph and
computes the loss over its live outputs joined with the cached outputs of the others. Each of
those losses is the full-batch loss, so the sum of their gradients is exactly the big-batch
gradient: no division by the window length is due.

Recognised when, in the loop around the recompute loop (not inside it), a ``no_grad`` /
``inference_mode`` block stores the result of a call made in it (``out = model(x)``, the items of
such a result, or ``model(x)`` itself) into a container that outlives the iteration (``cache.append(out)``,
``cache.setdefault(k, []).append(v)``, ``cache[k] = v``, ``cache += [out]``), and the recompute
loop reads that container.
"""

from __future__ import annotations

import ast

from stepguard.lint._scan import Facts, assigned_names, call_name, dotted, walk
from stepguard.lint._windows import Window

__all__ = ["recomputed_full_batch"]

_NO_GRAD = ("no_grad", "inference_mode")
_STORE = ("append", "extend", "insert")


def recomputed_full_batch(facts: Facts, w: Window) -> bool:
    """`w` is the recompute loop of the cached-recompute pattern (see the module docstring)."""
    if w.outer is None:
        return False
    caches = set()
    for block in _no_grad_blocks(w.outer, w.loop):
        caches |= _caches(block)
    if not caches:
        return False
    return any(isinstance(n, ast.Name) and n.id in caches for n in walk(w.loop))


def _no_grad_blocks(region: ast.AST, exclude: ast.AST) -> list[ast.With | ast.AsyncWith]:
    inside = {id(n) for n in walk(exclude)}
    out = []
    for n in walk(region):
        if id(n) in inside or not isinstance(n, (ast.With, ast.AsyncWith)):
            continue
        if any(
            isinstance(i.context_expr, ast.Call) and call_name(i.context_expr) in _NO_GRAD
            for i in n.items
        ):
            out.append(n)
    return out


def _caches(block: ast.With | ast.AsyncWith) -> set[str]:
    """The containers `block` fills with what its calls return."""
    produced: set[str] = set()
    for n in walk(block):
        if isinstance(n, ast.Assign) and any(isinstance(x, ast.Call) for x in walk(n.value)):
            for t in n.targets:
                produced.update(assigned_names(t))
    for n in walk(block):
        if isinstance(n, (ast.For, ast.AsyncFor)) and _reads(n.iter, produced):
            produced.update(assigned_names(n.target))
    out: set[str] = set()
    for n in walk(block):
        if isinstance(n, ast.Call) and call_name(n) in _STORE and isinstance(n.func, ast.Attribute):
            if any(_reads(a, produced) or _calls(a) for a in n.args):
                root = _root(n.func.value)
                if root is not None:
                    out.add(root)
        elif isinstance(n, ast.Assign) and _reads(n.value, produced):
            for t in n.targets:
                if isinstance(t, ast.Subscript) and (root := _root(t.value)) is not None:
                    out.add(root)
        elif (
            isinstance(n, ast.AugAssign)
            and isinstance(n.op, ast.Add)
            and isinstance(n.value, (ast.List, ast.Tuple))
            and _reads(n.value, produced)
            and (root := _root(n.target)) is not None
        ):
            out.add(root)
    return out - produced


def _calls(node: ast.AST) -> bool:
    """`node` makes a call (``cache.append(model(x))``: the output of a forward)."""
    return any(isinstance(x, ast.Call) for x in walk(node))


def _reads(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(x, ast.Name) and x.id in names for x in walk(node))


def _root(node: ast.expr) -> str | None:
    """The container a store reaches: ``cache`` for ``cache.setdefault(k, [])`` / ``cache[k]``."""
    while True:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    d = dotted(node)
    return d if d is not None and d not in ("self", "cls") else None
