"""The linter's result types (`Edit`, `Violation`) and helpers shared by the rule modules.

`stepguard.lint._rules` re-exports `Edit` and `Violation`; rule modules build violations with
`violation(...)` so every finding carries a catalog code and a 1-based character position.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from stepguard.findings import Finding
from stepguard.lint._scan import Facts, assigned_names


@dataclass(frozen=True)
class Edit:
    """Replace ``source[start:end]`` with `text` (character offsets into the str source)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Violation:
    """One finding in a file, with the edits of its safe fix (empty when there is none).

    The edits of one violation never overlap each other; edits of different violations may, so
    apply them with `stepguard.lint._engine.fix_source` (which re-lints between rounds).
    """

    finding: Finding
    edits: tuple[Edit, ...] = ()


def violation(
    facts: Facts,
    node: ast.AST,
    code: str,
    message: str,
    edits: tuple[Edit, ...] = (),
    **data: Any,
) -> Violation:
    """A `Violation` located at `node`'s start (1-based line, 1-based character column)."""
    line = getattr(node, "lineno", 1)
    col = facts.text.char_col(line, getattr(node, "col_offset", 0)) + 1
    finding = Finding(code=code, message=message, path=None, line=line, col=col, data=data)
    return Violation(finding=finding, edits=edits)


def const_number(facts: Facts, node: ast.AST | None, at: ast.AST, depth: int = 0) -> float | None:
    """The numeric value of `node` when it is visible in this file, else None.

    Follows constants, unary minus, arithmetic on constants, and names bound once by a plain
    assignment in the enclosing function (or to a constant default of its parameter) or at module
    level. ``args.weight_decay`` and anything computed at run time are unknown (None).
    """
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return float(v)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = const_number(facts, node.operand, at, depth + 1)
        if v is None:
            return None
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a = const_number(facts, node.left, at, depth + 1)
        b = const_number(facts, node.right, at, depth + 1)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow) and abs(b) < 64:
                return float(a**b)
        except (ArithmeticError, ValueError, OverflowError):
            return None
        return None
    if isinstance(node, ast.Name):
        value = binding(facts, node.id, at)
        if value is None:
            return None
        return const_number(facts, value, value, depth + 1)
    return None


def binding(facts: Facts, name: str, at: ast.AST) -> ast.expr | None:
    """The expression a plain name is bound to, seen from `at`: the single assignment in the
    enclosing function, else the parameter's default, else the single module-level assignment."""
    scope = facts.function_of(at)
    found = _single_assignment(facts, name, scope)
    if found is not None:
        return found
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = scope.args
        pos = [*args.posonlyargs, *args.args]
        defaults = dict(
            zip([a.arg for a in pos[len(pos) - len(args.defaults) :]], args.defaults, strict=True)
        )
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if d is not None:
                defaults[a.arg] = d
        if name in defaults:
            return defaults[name]
        if any(a.arg == name for a in [*pos, *args.kwonlyargs]):
            return None  # a parameter without a default: its value comes from the caller
    if scope is not facts.tree:
        return _single_assignment(facts, name, facts.tree)
    return None


def _single_assignment(facts: Facts, name: str, scope: ast.AST) -> ast.expr | None:
    values: list[ast.expr] = []
    for node in facts.assigns:
        if facts.function_of(node) is not scope:
            continue
        if isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name) and node.target.id == name:
                return None
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            names = assigned_names(t)
            if name in names:
                if isinstance(t, ast.Name) and node.value is not None:
                    values.append(node.value)
                else:
                    return None  # unpacked from a tuple: not visible
    return values[0] if len(values) == 1 else None
