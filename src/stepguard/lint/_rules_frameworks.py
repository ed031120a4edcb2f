"""Window rules for code organised the way training frameworks organise it: the pieces of one
optimizer step spread over an ``accumulate()`` block, the methods of a trainer class, and the
objects accelerate prepares.

- SG210, accelerate: the prepared optimizer's ``zero_grad()`` at the top of a ``with
  accelerator.accumulate(model):`` block, before the backward. accelerate skips a prepared
  optimizer's ``zero_grad`` on the micro-batches that do not sync, but ``accumulate()`` sets
  ``sync_gradients`` when the block is entered: on the window's last micro-batch the call really
  zeroes, before that micro-batch's backward, and the k - 1 micro-batches accumulated so far are
  lost.
- SG204, helpers: clipping inside a helper (``self.check_gradients(loss)``) called between
  ``scaler.scale(loss).backward()`` and ``scaler.step(optimizer)`` with no ``unscale_`` on the way.

Each function returns findings the base rule (`_rules_loop`, `_rules_sync`) adds to its own.
"""

from __future__ import annotations

import ast

from stepguard.lint._base import Violation, violation
from stepguard.lint._scan import Facts, short, walk
from stepguard.lint._window_rules import accumulates
from stepguard.lint._windows import accumulate_blocks

__all__ = ["accumulate_zero_first"]


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def accumulate_zero_first(facts: Facts) -> list[Violation]:
    """SG210: an optimizer's ``zero_grad()`` before the backward inside an ``accumulate()`` block
    (the module docstring). An optimizer accelerate never prepared is `_rules_loop`'s finding
    (it zeroes on every micro-batch); this one is about the prepared one."""
    out: list[Violation] = []
    for block in accumulate_blocks(facts):
        can_accumulate, cond = accumulates(facts, block)
        if not can_accumulate:
            continue
        calls = [
            n
            for s in block.body
            for n in walk(s)
            if isinstance(n, ast.Call) and _directly_in(facts, n, block)
        ]
        backwards = [c for c in calls if facts.backward_of(c) is not None]
        if not backwards:
            continue
        first = min(backwards, key=_pos)
        head = short(block.items[0].context_expr, 50)
        for call in calls:
            rec = call.func.value if isinstance(call.func, ast.Attribute) else None
            if rec is None or not facts.is_zero_grad(call) or _pos(call) >= _pos(first):
                continue
            d = short(rec, 40)
            if not facts.is_optimizer(rec) or (d in facts.optimizers and d not in facts.prepared):
                continue  # a module, or an optimizer accelerate never prepared: `_rules_loop`
            message = (
                f"`{short(call)}` runs at the top of `with {head}:`, before the backward (line "
                f"{first.lineno}): accumulate() has already set sync_gradients on the window's "
                "last micro-batch, so the prepared optimizer really zeroes there and wipes the "
                "gradients of the window's other micro-batches; call it right after "
                "`optimizer.step()`"
            )
            out.append(violation(facts, call, "SG210", message, (), cond))
    return out


_NOT_ONCE = (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _directly_in(facts: Facts, node: ast.AST, block: ast.AST) -> bool:
    """`node` runs at most once per pass through `block`: not in a loop or a function inside it."""
    p = facts.parents.get(node)
    while p is not None and p is not block:
        if isinstance(p, _NOT_ONCE):
            return False
        p = facts.parents.get(p)
    return p is block
