"""What the window rules share: a file's windows (computed once), what a window's findings depend
on (its length `k` > 1, or the ``gradient_accumulation_steps`` of the Accelerator an
``accumulate()`` block uses), and how messages name them.
"""

from __future__ import annotations

import ast
from typing import cast

from stepguard.lint._base import Condition
from stepguard.lint._call_windows import call_windows
from stepguard.lint._scan import Facts, call_name, dotted, kwarg
from stepguard.lint._windows import Window, scan_windows

__all__ = [
    "accelerate_steps",
    "accelerator_build",
    "accumulates",
    "setting_name",
    "statement_of",
    "where_it_steps",
    "window_condition",
    "windows",
]


def windows(facts: Facts) -> list[Window]:
    """The file's windows, computed once per file."""
    cached = facts.cache.get("windows")
    if cached is None:
        found = scan_windows(facts)
        more = call_windows(facts, found)
        if more:
            found = sorted([*found, *more], key=lambda w: (w.loop.lineno, w.loop.col_offset))
        cached = facts.cache["windows"] = found
    return cast(list[Window], cached)


def statement_of(facts: Facts, node: ast.AST) -> ast.stmt | None:
    """The statement that contains `node`."""
    p: ast.AST | None = node
    while p is not None and not isinstance(p, ast.stmt):
        p = facts.parents.get(p)
    return p


def where_it_steps(w: Window) -> str:
    """ "once per window `(i + 1) % k == 0` (line 12)", for messages."""
    if w.kind == "nested":
        return f"once {w.condition} (line {w.step.lineno})"
    return f"once per window {w.condition} (line {w.step.lineno})"


def setting_name(expr: ast.expr | None) -> str:
    """The name a value goes by in messages: ``gradient_accumulation_steps`` for
    ``args.gradient_accumulation_steps`` or ``cfg["gradient_accumulation_steps"]``."""
    node = expr
    while isinstance(node, ast.Call) and node.args and call_name(node) in ("int", "float"):
        node = node.args[0]
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and call_name(node) in ("get", "getattr"):
        index = 0 if call_name(node) == "get" else 1
        if len(node.args) > index and isinstance(node.args[index], ast.Constant):
            return str(node.args[index].value)  # type: ignore[attr-defined]
    return "k"


def window_condition(facts: Facts, w: Window) -> list[Condition]:
    """The window accumulates only when its length is > 1."""
    if w.k_node is None:
        build = accelerator_build(facts)
        steps = kwarg(build, "gradient_accumulation_steps") if build is not None else None
        if build is None or kwarg(build, "gradient_accumulation_plugin") is not None:
            return []
        if steps is None:
            steps = ast.Constant(value=1, lineno=build.lineno, col_offset=build.col_offset)
        return [Condition("gradient_accumulation_steps", (steps,), facts, ">1")]
    return [Condition(setting_name(w.k_node), (w.k_node,), facts, ">1")]


def accelerator_build(facts: Facts, name: str | None = None) -> ast.Call | None:
    """The ``Accelerator(...)`` construction bound to `name` (or the file's only one)."""
    if name is not None and name in facts.accelerator_builds:
        return facts.accelerator_builds[name]
    if len(facts.accelerator_builds) == 1:
        return next(iter(facts.accelerator_builds.values()))
    return None


def accelerate_steps(facts: Facts, block: ast.With | ast.AsyncWith) -> ast.expr | None:
    """The ``gradient_accumulation_steps`` of the Accelerator an ``accumulate()`` block uses: the
    expression passed, a constant 1 when it was built without one, None when not visible."""
    e = block.items[0].context_expr
    rec = e.func.value if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) else None
    build = accelerator_build(facts, dotted(rec) if rec is not None else None)
    if build is None or kwarg(build, "gradient_accumulation_plugin") is not None:
        return None
    steps = kwarg(build, "gradient_accumulation_steps")
    if steps is None:
        return ast.Constant(value=1, lineno=build.lineno, col_offset=build.col_offset)
    return steps


def accumulates(facts: Facts, block: ast.With | ast.AsyncWith) -> tuple[bool, list[Condition]]:
    """Whether an accumulate() block can accumulate at all (False for a visible k of 1), and the
    condition on k."""
    steps = accelerate_steps(facts, block)
    if steps is None:
        return True, []
    if isinstance(steps, ast.Constant) and steps.value in (0, 1):
        return False, []
    return True, [Condition(setting_name(steps), (steps,), facts, ">1")]
