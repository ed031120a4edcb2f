"""Syntax-tree helpers for the linter: names of nodes, iterative walks, character positions.

Kept free of any training-code knowledge; `stepguard.lint._scan` builds the facts on top of these.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

Loop = ast.For | ast.AsyncFor | ast.While
FuncDef = ast.FunctionDef | ast.AsyncFunctionDef


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain (``self.optimizer``); None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def last_name(node: ast.AST) -> str:
    """The last identifier of a Name/Attribute/Subscript/Call receiver (``self.opt`` -> ``opt``)."""
    while isinstance(node, (ast.Subscript, ast.Call)):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def call_name(call: ast.Call) -> str:
    """The method or function name of a call (``opt.step()`` -> ``step``)."""
    f = call.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def receiver(call: ast.Call) -> ast.expr | None:
    """The object a method is called on (``opt`` in ``opt.step()``), or None."""
    return call.func.value if isinstance(call.func, ast.Attribute) else None


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument `name`, or None."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    """True when the call passes ``**kwargs`` or ``*args`` (its arguments are not all visible)."""
    return any(kw.arg is None for kw in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    )


_FIELDS: dict[type, tuple[str, ...]] = {}
# Fields that never hold a node (identifiers, flags, numbers) or that are context markers.
_SCALAR_FIELDS = frozenset(
    (
        "ctx",
        "type_comment",
        "id",
        "attr",
        "name",
        "arg",
        "module",
        "level",
        "kind",
        "is_async",
        "simple",
        "conversion",
        "asname",
    )
)
# Nodes with no child worth visiting: names, constants and the Load/Store/Del markers.
LEAVES = frozenset((ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.alias))
_AST = ast.AST


def children(node: ast.AST) -> list[ast.AST]:
    """The child nodes of `node` in field order, without the Load/Store/Del context markers."""
    cls = type(node)
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = tuple(f for f in cls._fields if f not in _SCALAR_FIELDS)
        _FIELDS[cls] = fields
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            out += [v for v in value if isinstance(v, _AST)]
        elif isinstance(value, _AST):
            out.append(value)
    return out


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node` (itself included), iteratively, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if type(n) not in LEAVES:
            stack.extend(reversed(children(n)))


def assigned_names(target: ast.AST) -> list[str]:
    """Dotted names an assignment target binds (tuples unpacked): ``a, self.b = ...``."""
    out: list[str] = []
    stack = [target]
    while stack:
        t = stack.pop()
        if isinstance(t, (ast.Tuple, ast.List)):
            stack.extend(t.elts)
        elif isinstance(t, ast.Starred):
            stack.append(t.value)
        else:
            d = dotted(t)
            if d is not None:
                out.append(d)
    return out


class Text:
    """Character positions in the source: ast columns are UTF-8 byte offsets, edits need chars."""

    def __init__(self, source: str) -> None:
        self.source = source
        starts = [0]
        starts.extend(m.end() for m in re.finditer(r"\r\n|\r|\n", source))
        self.starts = starts

    def line_start(self, lineno: int) -> int:
        """Character offset of the start of 1-based line `lineno`."""
        return self.starts[min(max(lineno, 1), len(self.starts)) - 1]

    def line_end(self, lineno: int) -> int:
        """Character offset just past the end of line `lineno`, including its newline."""
        return self.starts[lineno] if lineno < len(self.starts) else len(self.source)

    def line(self, lineno: int) -> str:
        """Line `lineno` with its newline."""
        return self.source[self.line_start(lineno) : self.line_end(lineno)]

    def char_col(self, lineno: int, byte_col: int) -> int:
        """0-based character column of a 0-based UTF-8 byte column on line `lineno`."""
        line = self.line(lineno)
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def offset(self, lineno: int, byte_col: int) -> int:
        """Character offset into the source of (line, byte column)."""
        return self.line_start(lineno) + self.char_col(lineno, byte_col)

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets ``[start, end)`` of a node."""
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            return start, start
        return start, self.offset(end_line, end_col)

    def segment(self, node: ast.AST) -> str:
        """The exact source text of a node."""
        start, end = self.span(node)
        return self.source[start:end]


def short(node: ast.AST, limit: int = 60) -> str:
    """Compact source-like text of an expression, for messages."""
    try:
        text = ast.unparse(node)
    except Exception:  # unparse supports every parsable node; be safe on odd shapes anyway
        return "<expr>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
