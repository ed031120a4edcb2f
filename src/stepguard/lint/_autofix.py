"""Safe fixes for the linter: edit generation per rule, and applying edits to source text.

A fix is offered only when the rewrite is unambiguous; everything else keeps the source byte for
byte (formatting and comments included). `apply_edits` is pure; `stepguard.lint._engine.fix_source`
applies the fixes of a whole file in rounds with it (edits of different violations may touch the
same import line), re-linting between rounds, like Ruff does.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from typing import TYPE_CHECKING

from stepguard.lint._scan import Facts, has_star_kwargs

if TYPE_CHECKING:
    from stepguard.lint._base import Edit
    from stepguard.lint._windows import Window


def _edit(start: int, end: int, text: str) -> Edit:
    from stepguard.lint._base import Edit

    return Edit(start, end, text)


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
        if prev is not None and _overlaps(prev, e):
            raise ValueError(f"overlapping edits {prev} and {e}; apply them in separate rounds")
        out.append(source[pos : e.start])
        out.append(e.text)
        pos = e.end
        prev = e
    out.append(source[pos:])
    return "".join(out)


def _overlaps(a: Edit, b: Edit) -> bool:
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


# -- SG101 ---------------------------------------------------------------------------------------


def sg101_edits(facts: Facts, call: ast.Call, cls: str) -> tuple[Edit, ...]:
    """Edits turning a coupled-decay optimizer into a decoupled one, or ``()`` if unsafe.

    ``Adam(...)`` -> ``AdamW(...)`` keeping every argument (same signature; when the decay is set
    only inside param groups, ``weight_decay=0.0`` is added so groups without one keep Adam's
    default of 0 instead of AdamW's 0.01): ``torch.optim.Adam``
    -> ``torch.optim.AdamW``, ``optim.Adam`` -> ``optim.AdamW``, and a name imported with ``from
    torch.optim import Adam`` -> ``AdamW``, added to that import. NAdam/RAdam get
    ``decoupled_weight_decay=True``. Other classes have no safe rewrite.
    """
    from stepguard.lint._values import weight_decay_arg

    if has_star_kwargs(call) or not (call.args or call.keywords):
        return ()
    if cls in ("NAdam", "RAdam"):
        _, end = max(facts.text.span(n) for n in [*call.args, *call.keywords])
        return (_edit(end, end, ", decoupled_weight_decay=True"),)
    if cls != "Adam":
        return ()
    # Decay only inside param groups: keep the other groups at Adam's default of 0, not AdamW's 0.01.
    extra: tuple[Edit, ...] = ()
    if weight_decay_arg(call, cls) is None:
        _, last = max(facts.text.span(n) for n in [*call.args, *call.keywords])
        extra = (_edit(last, last, ", weight_decay=0.0"),)
    func = call.func
    start, end = facts.text.span(func)
    if isinstance(func, ast.Attribute):
        if facts.resolve(func.value) != "torch.optim" or facts.source[end - 4 : end] != "Adam":
            return ()
        return (_edit(end - 4, end, "AdamW"), *extra)
    if not isinstance(func, ast.Name) or facts.resolve(func) != "torch.optim.Adam":
        return ()
    if func.id not in facts.aliases:
        return ()  # bound by a star import: leave it
    existing = [k for k, v in facts.aliases.items() if v == "torch.optim.AdamW"]
    if existing:
        return (_edit(start, end, existing[0]), *extra)
    if _name_taken(facts, "AdamW"):
        return ()  # the name AdamW means something else here
    imp = _import_binding(facts, func.id, "torch.optim")
    if imp is None:
        return ()
    last_alias = imp.names[-1]
    if getattr(last_alias, "end_lineno", None) is None:
        return ()
    _, alias_end = facts.text.span(last_alias)
    return (_edit(start, end, "AdamW"), _edit(alias_end, alias_end, ", AdamW"), *extra)


def _import_binding(facts: Facts, local: str, module: str) -> ast.ImportFrom | None:
    """The first ``from module import ...`` that binds `local`."""
    found = [
        n
        for n in facts.parents
        if isinstance(n, ast.ImportFrom)
        and n.module == module
        and not n.level
        and any((a.asname or a.name) == local for a in n.names)
    ]
    return min(found, key=lambda n: (n.lineno, n.col_offset)) if found else None


def _name_taken(facts: Facts, name: str) -> bool:
    """`name` is bound or used as a bare name anywhere in the file."""
    if name in facts.aliases:
        return True
    for n in facts.parents:
        if isinstance(n, ast.Name) and n.id == name:
            return True
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name:
            return True
    return False


# -- SG202 / SG203: move a per-micro-batch call under the window's step ------------------------


def move_edits(facts: Facts, window: Window, stmt: ast.stmt, before: bool) -> tuple[Edit, ...]:
    """Edits moving `stmt` (a whole-line expression statement run on every micro-batch) next to
    the window's optimizer step: right before it (`before`, for clipping) or right after the step
    and the ``scaler.update()`` / ``zero_grad()`` calls that directly follow it (schedulers).

    Only when the structure is unambiguous: `stmt` is a direct child of the micro-batch loop's
    body (not the only one), the step is a whole-line statement directly in the window's step
    block, and, for clipping with a GradScaler, ``scaler.unscale_`` already precedes the step in
    that block. Otherwise ``()``.
    """
    loop_body = window.loop.body
    if not isinstance(stmt, ast.Expr) or len(loop_body) < 2 or not _has(loop_body, stmt):
        return ()
    if window.kind == "guard" and window.guard is not None:
        block = window.guard.body
    elif window.kind == "continue":
        block = loop_body
    elif window.kind == "nested" and window.outer is not None:
        block = window.outer.body
    else:
        return ()
    step = next((s for s in block if isinstance(s, ast.Expr) and s.value is window.step), None)
    if step is None or step is stmt:
        return ()
    text = facts.text
    if not (_whole_lines(facts, stmt) and _whole_lines(facts, step)):
        return ()
    idx = next(i for i, s in enumerate(block) if s is step)
    if before:
        rec = window.step.func.value if isinstance(window.step.func, ast.Attribute) else None
        if rec is not None and facts.is_scaler(rec):
            prior = block[:idx]
            if not any(
                isinstance(s, ast.Expr)
                and isinstance(s.value, ast.Call)
                and s.value.func is not None
                and getattr(s.value.func, "attr", "") == "unscale_"
                for s in prior
            ):
                return ()
        anchor_pos = text.line_start(step.lineno)
    else:
        last = step
        for s in block[idx + 1 :]:
            if (
                isinstance(s, ast.Expr)
                and isinstance(s.value, ast.Call)
                and getattr(s.value.func, "attr", "") in ("update", "zero_grad")
                and _whole_lines(facts, s)
            ):
                last = s
            else:
                break
        anchor_pos = text.line_end(last.end_lineno or last.lineno)
    new_indent = _indent(facts, step)
    old_indent = _indent(facts, stmt)
    first, end_line = stmt.lineno, stmt.end_lineno or stmt.lineno
    raw = facts.source[text.line_start(first) : text.line_end(end_line)]
    lines = raw.splitlines(keepends=True)
    moved = []
    for i, line in enumerate(lines):
        if line.startswith(old_indent):
            line = new_indent + line[len(old_indent) :]
        elif i == 0:
            return ()
        moved.append(line)
    body = "".join(moved)
    newline = "\r\n" if text.line(step.lineno).endswith("\r\n") else "\n"
    if not body.endswith(("\n", "\r")):
        body += newline
    if not before and anchor_pos > 0 and facts.source[anchor_pos - 1] not in "\r\n":
        body = newline + body.rstrip("\r\n")
    delete = _edit(text.line_start(first), text.line_end(end_line), "")
    insert = _edit(anchor_pos, anchor_pos, body)
    if _overlaps(delete, insert):
        return ()
    return (delete, insert)


def _has(block: list[ast.stmt], stmt: ast.stmt) -> bool:
    return any(s is stmt for s in block)


def _indent(facts: Facts, stmt: ast.stmt) -> str:
    line = facts.text.line(stmt.lineno)
    return line[: len(line) - len(line.lstrip(" \t"))]


def _whole_lines(facts: Facts, stmt: ast.stmt) -> bool:
    """`stmt` alone on its lines (a trailing comment is fine), and no string spans its lines."""
    text = facts.text
    start, end = text.span(stmt)
    head = facts.source[text.line_start(stmt.lineno) : start]
    tail = facts.source[end : text.line_end(stmt.end_lineno or stmt.lineno)].strip()
    if head.strip() or (tail and not tail.startswith("#")):
        return False
    return not any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, (str, bytes))
        and getattr(n, "end_lineno", n.lineno) != n.lineno
        for n in ast.walk(stmt)
    )
