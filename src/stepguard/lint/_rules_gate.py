"""SG202 and SG210 for a window whose guard lost its step: the loop gates the clip (and its
step count) with ``if step % k == 0:``, but the optimizer steps, zeroes its gradients and
advances its scheduler on every micro-batch, outside that guard.

The shape (OpenPrompt's soft-prompt tutorial as first published)::

    for step, inputs in enumerate(loader):
        loss = model(inputs)
        loss.backward()
        actual_step += 1
        if actual_step % gradient_accumulation_steps == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            glb_step += 1
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()

The guard says the code means to accumulate k micro-batches (it clips once per window and counts
windows), yet the gradients are applied and wiped on every micro-batch: the ``zero_grad()`` on
every micro-batch is SG210, and a scheduler stepped there runs k times per window, SG202 (unless
its length visibly counts micro-batches). Not a `Window` of `_windows`: no rule that needs a real
window (SG201, SG203, SG208) reads it. A guard that clips and steps is an ordinary window; a guard
that neither clips nor steps (logging, evaluation) says nothing about accumulation.
"""

from __future__ import annotations

import ast

from stepguard.lint._activity import branch_conditions
from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._rules_schedule import counts_micro_batches
from stepguard.lint._scan import Facts, receiver, short, walk
from stepguard.lint._window_rules import setting_name

__all__ = ["gate_schedulers", "gate_zero_grads"]

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_LOOPS)


def _own_calls(stmts: list[ast.stmt]) -> list[ast.Call]:
    """The calls `stmts` make themselves, not inside a nested loop, function or class."""
    out: list[ast.Call] = []
    stack: list[ast.AST] = list(reversed(stmts))
    while stack:
        n = stack.pop()
        if isinstance(n, _SCOPES):
            continue
        if isinstance(n, ast.Call):
            out.append(n)
        stack.extend(reversed(list(ast.iter_child_nodes(n))))
    return out


def _remainder(test: ast.expr) -> ast.expr | None:
    """The divisor of the ``x % k == 0`` test (also ``not x % k``), else None."""
    for n in walk(test):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod):
            right = n.right
            if isinstance(right, ast.Constant):
                return None  # a literal period: logging, not a setting
            return right
    return None


def _gates(facts: Facts) -> list[tuple[ast.If, ast.expr, list[ast.Call]]]:
    """(the guard, its k, the calls of the loop body outside it) for each loop whose body runs a
    backward and a guard that clips without stepping, and steps the optimizer outside it
    (computed once per file; nothing to look for in a file with no clip)."""
    cached = facts.cache.get("clip_gates")
    if isinstance(cached, list):
        return cached
    out: list[tuple[ast.If, ast.expr, list[ast.Call]]] = []
    facts.cache["clip_gates"] = out
    if "%" not in facts.source or not any(facts.is_clip(c) for c in facts.calls):
        return out
    for loop in facts.loops:
        if not isinstance(loop, _LOOPS):
            continue
        calls = _own_calls(loop.body)
        if not any(facts.backward_of(c) is not None for c in calls):
            continue
        for s in loop.body:
            if not isinstance(s, ast.If):
                continue
            k = _remainder(s.test)
            if k is None:
                continue
            inside = _own_calls([*s.body, *s.orelse])
            if not any(facts.is_clip(c) for c in inside):
                continue
            if any(facts.is_optimizer_step(c) for c in inside):
                continue  # an ordinary window
            ids = {id(c) for c in inside}
            outside = [c for c in calls if id(c) not in ids]
            if not any(facts.is_optimizer_step(c) for c in outside):
                continue
            out.append((s, k, outside))
            break
    return out


def _condition(facts: Facts, k: ast.expr, call: ast.Call) -> list[Condition]:
    """k > 1, and the tests of the ``if`` blocks around `call` (``if scheduler1 is not None:``)."""
    return [Condition(setting_name(k), (k,), facts, ">1"), *branch_conditions(facts, call, True)]


def gate_zero_grads(facts: Facts) -> list[Violation]:
    """SG210: ``zero_grad()`` on every micro-batch outside a clipping window guard (the module
    docstring)."""
    out = []
    for guard, k, outside in _gates(facts):
        for call in outside:
            if not facts.is_zero_grad(call):
                continue
            message = (
                f"`{short(call, 40)}` runs on every micro-batch, but the loop windows its "
                f"micro-batches by `{short(guard.test, 60)}` (line {guard.lineno}), which clips "
                f"once per window: the optimizer step and this zero_grad outside that guard "
                f"apply and wipe each micro-batch's gradient, so nothing accumulates; step and "
                f"zero inside the guard"
            )
            out.append(violation(facts, call, "SG210", message, (), _condition(facts, k, call)))
    return out


def gate_schedulers(facts: Facts) -> list[Violation]:
    """SG202: ``scheduler.step()`` on every micro-batch outside a clipping window guard (the
    module docstring), unless the schedule's length visibly counts micro-batches."""
    out = []
    for guard, k, outside in _gates(facts):
        for call in outside:
            if not facts.is_scheduler_step(call):
                continue
            rec = receiver(call)
            if rec is not None and counts_micro_batches(facts, rec, k):
                continue
            message = (
                f"`{short(call, 40)}` runs on every micro-batch, but the loop windows its "
                f"micro-batches by `{short(guard.test, 60)}` (line {guard.lineno}) and counts "
                f"its steps there: the schedule advances {short(k, 30)} times per window; step "
                f"it inside the guard"
            )
            out.append(violation(facts, call, "SG202", message, (), _condition(facts, k, call)))
    return out
