"""The generic edit machinery of the linter's fixes: `Edit`, `apply_edits` and text helpers.

Each rule builds its own fix next to its check (`_rules_decay.sg101_edits`,
`_rules_loop.move_edits`) out of `Edit`s; nothing here knows a rule. A fix is offered only when
the rewrite is unambiguous; everything else keeps the source byte for byte (formatting and
comments included). `apply_edits` is pure; `stepguard.lint._engine.fix_source` applies the fixes
of a whole file in rounds with it (edits of different violations may touch the same import line),
re-linting between rounds, like Ruff does.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass

from stepguard.lint._nodes import Text

__all__ = ["Edit", "apply_edits", "indent_of", "overlaps", "remove_import_name", "whole_lines"]


@dataclass(frozen=True)
class Edit:
    """Replace ``source[start:end]`` with `text` (character offsets into the str source)."""

    start: int
    end: int
    text: str


def apply_edits(source: str, edits: Collection[Edit]) -> str:
    """Return `source` with every edit applied (``source[start:end]`` replaced by ``text``).

    Offsets refer to the original `source`. Raises ValueError when two edits overlap (or insert
    at the same position), or an edit lies outside the source.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[str] = []
    pos = 0
    prev: Edit | None = None
    for e in ordered:
        if not 0 <= e.start <= e.end <= len(source):
            raise ValueError(f"edit {e} lies outside the source (length {len(source)})")
        if prev is not None and overlaps(prev, e):
            raise ValueError(f"overlapping edits {prev} and {e}; apply them in separate rounds")
        out.append(source[pos : e.start])
        out.append(e.text)
        pos = e.end
        prev = e
    out.append(source[pos:])
    return "".join(out)


def overlaps(a: Edit, b: Edit) -> bool:
    """Two edits conflict: their ranges intersect, an insertion falls strictly inside a
    replaced range, or both insert at the same position (the order would be ambiguous)."""
    a_ins, b_ins = a.start == a.end, b.start == b.end
    if a_ins and b_ins:
        return a.start == b.start
    if a_ins:
        return b.start < a.start < b.end
    if b_ins:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def indent_of(text: Text, stmt: ast.stmt) -> str:
    """The leading whitespace of the first line of `stmt`."""
    line = text.line(stmt.lineno)
    return line[: len(line) - len(line.lstrip(" \t"))]


def whole_lines(text: Text, stmt: ast.stmt) -> bool:
    """`stmt` alone on its lines (a trailing comment is fine), and no string spans its lines."""
    start, end = text.span(stmt)
    head = text.source[text.line_start(stmt.lineno) : start]
    tail = text.source[end : text.line_end(stmt.end_lineno or stmt.lineno)].strip()
    if head.strip() or (tail and not tail.startswith("#")):
        return False
    return not any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, (str, bytes))
        and getattr(n, "end_lineno", n.lineno) != n.lineno
        for n in ast.walk(stmt)
    )


def remove_import_name(text: Text, imp: ast.ImportFrom, index: int) -> tuple[Edit, ...]:
    """Edits removing the `index`-th name from ``from m import a, b, c`` (with its comma), or the
    whole statement when it is the only name and the statement has its lines to itself; ``()``
    when that cannot be done cleanly (the caller then keeps the import).

    A name alone on its line in a parenthesised import goes with its line (and its trailing
    comment, which was about it).
    """
    names = imp.names
    if any(getattr(a, "end_lineno", None) is None for a in names):
        return ()
    if len(names) == 1:
        if not whole_lines(text, imp):
            return ()
        return (Edit(text.line_start(imp.lineno), text.line_end(imp.end_lineno or imp.lineno), ""),)
    src = text.source
    start, end = text.span(names[index])
    if index + 1 < len(names):
        nxt, _ = text.span(names[index + 1])
        comma = src.index(",", end, nxt)
        line_head = src[text.line_start(names[index].lineno) : start]
        rest_of_line = src[comma + 1 : text.line_end(names[index].lineno)]
        if not line_head.strip() and rest_of_line.strip()[:1] in ("", "#"):
            # `    Adam,  # note` alone on its line: drop the line.
            return (
                Edit(text.line_start(names[index].lineno), text.line_end(names[index].lineno), ""),
            )
        if "\n" in src[end:nxt] or "\r" in src[end:nxt] or "#" in src[end:nxt]:
            stop = comma + 1
            while stop < nxt and src[stop] in " \t":
                stop += 1
            return (Edit(start, stop, ""),)
        return (Edit(start, nxt, ""),)
    _, prev_end = text.span(names[index - 1])
    between = src[prev_end:start]
    if "#" in between:
        return ()
    return (Edit(prev_end, end, ""),)
