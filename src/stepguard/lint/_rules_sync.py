"""Mixed-precision and DDP ordering rules: SG204 (clip before unscale), SG211 (scheduler after a
possibly skipped ``scaler.step``), SG212 (DDP sync toggled after the forward).

These read statement order inside one function: what runs before what within the same block.
"""

from __future__ import annotations

import ast

from stepguard.lint._base import Violation, violation
from stepguard.lint._rules_loop import statement_of
from stepguard.lint._scan import Facts, call_name, dotted, receiver, short, walk
from stepguard.lint._values import binding

_BACKWARD_ONLY_CALLS = frozenset(
    ("backward", "scale", "mean", "sum", "item", "detach", "float", "div", "mul", "manual_backward")
)


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def check_sg204(facts: Facts) -> list[Violation]:
    """SG204: torch clipping after ``scaler.scale(loss).backward()`` with no ``unscale_`` before."""
    out = []
    for clip in facts.calls:
        if not facts.is_clip(clip):
            continue
        scope = facts.function_of(clip)
        scale_backward = None
        unscaled = False
        for call in (n for n in walk(scope) if isinstance(n, ast.Call)):
            if _pos(call) >= _pos(clip) or facts.function_of(call) is not scope:
                continue
            if call_name(call) == "unscale_" or (
                isinstance(call.func, ast.Name) and call.func.id in facts.unscale_functions
            ):
                unscaled = True
            rec = receiver(call)
            if (
                call_name(call) == "backward"
                and isinstance(rec, ast.Call)
                and call_name(rec) == "scale"
                and receiver(rec) is not None
                and facts.is_scaler(receiver(rec))  # type: ignore[arg-type]
            ):
                scale_backward = call
        if scale_backward is None or unscaled:
            continue
        scaler = short(receiver(scale_backward.func.value), 30)  # type: ignore[attr-defined, arg-type]
        message = (
            f"`{call_name(clip)}` clips gradients still multiplied by the GradScaler's scale "
            f"(`{short(scale_backward, 40)}` at line {scale_backward.lineno}, no "
            f"`{scaler}.unscale_(optimizer)` before): the threshold is compared with scale x the "
            f"real norm; call `{scaler}.unscale_(optimizer)` first"
        )
        out.append(violation(facts, clip, "SG204", message))
    return out


def check_sg211(facts: Facts) -> list[Violation]:
    """SG211: ``scheduler.step()`` in the same block after ``scaler.step(optimizer)``, unguarded."""
    out = []
    for call in facts.calls:
        if not facts.is_scaler_step(call):
            continue
        stmt = statement_of(facts, call)
        if not isinstance(stmt, ast.Expr):
            continue
        block = _block_of(facts, stmt)
        if block is None:
            continue
        idx = next(i for i, s in enumerate(block) if s is stmt)
        for s in block[idx + 1 :]:
            if (
                isinstance(s, ast.Expr)
                and isinstance(s.value, ast.Call)
                and facts.is_scheduler_step(s.value)
            ):
                via = "" if call_name(call) == "step" else " (which calls `scaler.step`)"
                message = (
                    f"`{short(s.value)}` runs even when `{short(call)}`{via} (line {call.lineno}) "
                    "skipped the optimizer step (inf/NaN gradients): the schedule runs ahead of "
                    "the optimizer; step it only when the scale did not drop"
                )
                out.append(violation(facts, s.value, "SG211", message))
    return out


def _block_of(facts: Facts, stmt: ast.stmt) -> list[ast.stmt] | None:
    parent = facts.parents.get(stmt)
    if parent is None:
        return None
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    return None


def _no_sync_receiver(facts: Facts, expr: ast.AST, at: ast.AST) -> ast.expr | None:
    """The DDP model whose ``no_sync()`` a with-item enters (also through ``x if c else y`` or a
    name bound to such an expression in the same function)."""
    if isinstance(expr, ast.Name):
        bound = binding(facts, expr.id, at)
        if bound is None:
            return None
        expr = bound
    for n in walk(expr):
        if isinstance(n, ast.Call) and call_name(n) == "no_sync" and receiver(n) is not None:
            return receiver(n)
    return None


def check_sg212(facts: Facts) -> list[Violation]:
    """SG212: ``no_sync()`` / ``require_backward_grad_sync`` switched around ``backward()`` only."""
    out = []
    for w in facts.withs:
        model = None
        for item in w.items:
            model = model or _no_sync_receiver(facts, item.context_expr, w)
        if model is None:
            continue
        calls = [n for s in w.body for n in walk(s) if isinstance(n, ast.Call)]
        if not any(facts.backward_of(c) is not None for c in calls):
            continue
        if any(call_name(c) not in _BACKWARD_ONLY_CALLS for c in calls):
            continue  # something else (the forward, most likely) runs inside: fine
        name = short(model, 30)
        message = (
            f"`with {name}.no_sync():` wraps only the backward; the forward ran outside it, and "
            "DDP decides in the forward whether the backward all-reduces, so the sync is not "
            f"skipped; put the forward inside the context too"
        )
        out.append(violation(facts, w, "SG212", message))
    for node in facts.assigns:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Attribute) and target.attr == "require_backward_grad_sync"):
            continue
        model_name = dotted(target.value)
        block = _block_of(facts, node)
        if model_name is None or block is None:
            continue
        idx = next(i for i, s in enumerate(block) if s is node)
        forward_before = any(
            isinstance(n, ast.Call) and dotted(n.func) == model_name
            for s in block[:idx]
            for n in walk(s)
        )
        backward_after = any(
            isinstance(n, ast.Call) and facts.backward_of(n) is not None
            for s in block[idx + 1 :]
            for n in walk(s)
        )
        if forward_before and backward_after:
            message = (
                f"`{model_name}.require_backward_grad_sync` is set after the forward "
                f"`{model_name}(...)` ran: DDP already decided in that forward whether the "
                "backward all-reduces; set it before the forward"
            )
            out.append(violation(facts, node, "SG212", message))
    return out
