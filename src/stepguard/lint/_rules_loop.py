"""Accumulation-window rules: SG201, SG202, SG203, SG205, SG208, SG210.

All of them start from the windows `scan_windows` recognises (and from accelerate's
``with accelerator.accumulate(model):`` blocks for SG202/SG203/SG210): a statement that runs on
every micro-batch of a window is reported when it should run once per optimizer step.
The SG202/SG203 safe fix (`move_edits`) lives here, next to those checks.
"""

from __future__ import annotations

import ast
from typing import cast

from stepguard.lint._autofix import Edit, indent_of, overlaps, whole_lines
from stepguard.lint._base import Violation, violation
from stepguard.lint._scan import Facts, call_name, dotted, kwarg, receiver, short, walk
from stepguard.lint._values import binding
from stepguard.lint._windows import Window, accumulate_blocks, scan_windows


def windows(facts: Facts) -> list[Window]:
    """The file's windows, computed once per file."""
    cached = facts.cache.get("windows")
    if cached is None:
        cached = scan_windows(facts)
        facts.cache["windows"] = cached
    return cast(list[Window], cached)


def statement_of(facts: Facts, node: ast.AST) -> ast.stmt | None:
    """The statement that contains `node`."""
    p: ast.AST | None = node
    while p is not None and not isinstance(p, ast.stmt):
        p = facts.parents.get(p)
    return p


def _where(w: Window) -> str:
    if w.kind == "nested":
        return f"once {w.condition} (line {w.step.lineno})"
    return f"once per window {w.condition} (line {w.step.lineno})"


# -- SG201 ---------------------------------------------------------------------------------------

_SCALING_OPS = (ast.Div, ast.Mult, ast.FloorDiv)


def _unscaled(facts: Facts, w: Window, expr: ast.AST, depth: int = 0) -> bool:
    """True only when `expr` is visibly a per-micro-batch loss never divided or multiplied."""
    if depth > 3:
        return False
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, _SCALING_OPS):
            return False
        if isinstance(expr.op, (ast.Add, ast.Sub)):
            return _unscaled(facts, w, expr.left, depth + 1) and _unscaled(
                facts, w, expr.right, depth + 1
            )
        return False
    if isinstance(expr, ast.Name):
        values: list[ast.expr] = []
        for n in walk(w.loop):
            if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == expr.id for t in n.targets
            ):
                values.append(n.value)
            elif isinstance(n, ast.AugAssign) and dotted(n.target) == expr.id:
                if not isinstance(n.op, ast.Add):
                    return False
                values.append(n.value)
        if not values:
            return False
        for v in values:
            if any(isinstance(x, ast.BinOp) and isinstance(x.op, _SCALING_OPS) for x in walk(v)):
                return False
        return any(
            _unscaled(facts, w, v, depth + 1)
            for v in values
            if not (isinstance(v, ast.Call) and call_name(v) in ("mean", "sum", "float"))
        )
    if (
        isinstance(expr, ast.Call)
        and call_name(expr) in facts.functions
        and (
            isinstance(expr.func, ast.Name)
            or (isinstance(expr.func, ast.Attribute) and dotted(expr.func.value) in ("self", "cls"))
        )
    ):
        return False  # a same-file helper may divide inside
    if any(isinstance(x, ast.BinOp) and isinstance(x.op, _SCALING_OPS) for x in walk(expr)):
        return False
    return facts.is_loss_source(expr)


def check_sg201(facts: Facts) -> list[Violation]:
    """SG201: a loss backpropagated every micro-batch of a window without ``/ k``."""
    out = []
    for w in windows(facts):
        for call in w.calls():
            b = facts.backward_of(call)
            if b is None or b[1] != "plain" or b[0] is None:
                continue
            loss = b[0]
            if not _unscaled(facts, w, loss):
                continue
            name = short(loss, 40)
            message = (
                f"`{name}` is backpropagated on every micro-batch but the optimizer steps "
                f"{_where(w)} and the loss is never divided by the window length: the "
                f"accumulated gradient is {w.k} times the big-batch gradient; backpropagate "
                f"`{name} / {w.k}`"
            )
            out.append(violation(facts, call, "SG201", message, window_length=w.k))
    return out


# -- SG202 / SG203 / SG210 ------------------------------------------------------------------------


def _per_micro(facts: Facts, code: str) -> list[Violation]:
    out = []
    for w in windows(facts):
        for call in w.calls():
            rec = receiver(call)
            if code == "SG202" and facts.is_scheduler_step(call):
                what = f"`{short(call)}`"
                message = (
                    f"{what} runs on every micro-batch, but the optimizer steps {_where(w)}: the "
                    f"schedule advances {w.k} times too fast; step it right after the optimizer"
                )
                stmt = statement_of(facts, call)
                edits = move_edits(facts, w, stmt, before=False) if stmt else ()
                out.append(violation(facts, call, code, message, edits))
            elif code == "SG203" and (facts.is_clip(call) or facts.is_accelerate_clip(call)):
                message = (
                    f"`{call_name(call)}` clips the partial gradient on every micro-batch, but the "
                    f"optimizer steps {_where(w)}: clip once, on the accumulated gradient, right "
                    "before the optimizer step"
                )
                stmt = statement_of(facts, call)
                edits = move_edits(facts, w, stmt, before=True) if stmt else ()
                out.append(violation(facts, call, code, message, edits))
            elif code == "SG210" and rec is not None and facts.is_zero_grad(call):
                d = dotted(rec)
                if facts.is_optimizer(rec) and w.stepped and d not in w.stepped:
                    continue  # another optimizer's gradients
                message = (
                    f"`{short(call)}` runs on every micro-batch, but the optimizer steps "
                    f"{_where(w)}: it wipes the gradients being accumulated, so each step sees "
                    "only the last micro-batch; zero once, right after the optimizer step"
                )
                out.append(violation(facts, call, code, message))
        if code == "SG210" and w.guard is not None:
            out.extend(_zero_at_top_of_last(facts, w))
    out.extend(_accelerate(facts, code))
    return out


# -- the SG202 / SG203 fix: move a per-micro-batch call next to the window's step ---------------


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
    if not (whole_lines(facts.text, stmt) and whole_lines(facts.text, step)):
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
                and whole_lines(facts.text, s)
            ):
                last = s
            else:
                break
        anchor_pos = text.line_end(last.end_lineno or last.lineno)
    new_indent = indent_of(facts.text, step)
    old_indent = indent_of(facts.text, stmt)
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
    delete = Edit(text.line_start(first), text.line_end(end_line), "")
    insert = Edit(anchor_pos, anchor_pos, body)
    if overlaps(delete, insert):
        return ()
    return (delete, insert)


def _has(block: list[ast.stmt], stmt: ast.stmt) -> bool:
    return any(s is stmt for s in block)


def _zero_at_top_of_last(facts: Facts, w: Window) -> list[Violation]:
    """``if (i + 1) % k == 0: optimizer.zero_grad()`` before the backward, same test as the step."""
    guard = w.guard
    assert guard is not None
    first_backward = min(
        (c.lineno for c in w.calls() if facts.backward_of(c) is not None), default=None
    )
    if first_backward is None:
        return []
    out = []
    key = ast.dump(guard.test)
    for node in walk(w.loop):
        if (
            isinstance(node, ast.If)
            and node is not guard
            and node.lineno < first_backward
            and ast.dump(node.test) == key
        ):
            for call in (n for n in walk(node) if isinstance(n, ast.Call)):
                if facts.is_zero_grad(call):
                    message = (
                        f"`{short(call)}` runs at the top of the window's last micro-batch "
                        f"(`{short(guard.test)}`), before its backward: the gradients of the "
                        "window's other micro-batches are wiped; zero right after the step instead"
                    )
                    out.append(violation(facts, call, "SG210", message))
    return out


def _accelerate_calls(facts: Facts, block: ast.With | ast.AsyncWith) -> list[ast.Call]:
    """Calls in an accumulate block, skipping ``if accelerator.sync_gradients:`` branches."""
    out = []
    stack: list[ast.AST] = list(reversed(block.body))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.If) and any(
            (d := dotted(x)) is not None and d.endswith("sync_gradients")
            for x in walk(n.test)
            if isinstance(x, (ast.Name, ast.Attribute))
        ):
            continue
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(n, ast.Call):
            out.append(n)
        stack.extend(reversed(list(ast.iter_child_nodes(n))))
    out.sort(key=lambda c: (c.lineno, c.col_offset))
    return out


def _accelerate(facts: Facts, code: str) -> list[Violation]:
    out = []
    for block in accumulate_blocks(facts):
        head = short(block.items[0].context_expr, 50)
        for call in _accelerate_calls(facts, block):
            rec = receiver(call)
            d = dotted(rec) if rec is not None else None
            if code == "SG210" and rec is not None and facts.is_zero_grad(call):
                if not facts.is_optimizer(rec):
                    why = "a module's zero_grad() is not skipped by accelerate"
                elif d in facts.optimizers and d not in facts.prepared:
                    why = (
                        f"`{d}` was not passed through accelerator.prepare(), so it is not skipped"
                    )
                else:
                    continue
                message = (
                    f"`{short(call)}` inside `with {head}:` runs on every micro-batch ({why}): "
                    "it wipes the accumulated gradients; call zero_grad() on the prepared optimizer"
                )
                out.append(violation(facts, call, code, message))
            elif (
                code == "SG202"
                and facts.is_scheduler_step(call)
                and d in facts.schedulers
                and d not in facts.prepared
            ):
                message = (
                    f"`{short(call)}` inside `with {head}:` runs on every micro-batch: `{d}` was "
                    "not passed through accelerator.prepare(), so accelerate does not skip it; "
                    "prepare it or step it under `if accelerator.sync_gradients:`"
                )
                out.append(violation(facts, call, code, message))
            elif code == "SG203" and (facts.is_clip(call) or facts.is_accelerate_clip(call)):
                message = (
                    f"`{call_name(call)}` inside `with {head}:` clips the partial gradient on "
                    "every micro-batch; clip under `if accelerator.sync_gradients:`"
                )
                out.append(violation(facts, call, code, message))
    return out


def check_sg202(facts: Facts) -> list[Violation]:
    """SG202: ``scheduler.step()`` on every micro-batch of a window."""
    return _per_micro(facts, "SG202")


def check_sg203(facts: Facts) -> list[Violation]:
    """SG203: gradient clipping on every micro-batch of a window."""
    return _per_micro(facts, "SG203")


def check_sg210(facts: Facts) -> list[Violation]:
    """SG210: ``zero_grad()`` on every micro-batch of a window (or in an accumulate block)."""
    return _per_micro(facts, "SG210")


# -- SG208 ---------------------------------------------------------------------------------------


def check_sg208(facts: Facts) -> list[Violation]:
    """SG208: a DDP model and a manual window, with no ``no_sync``/sync switch anywhere."""
    if not facts.ddp_models:
        return []
    if "no_sync" in facts.source or "require_backward_grad_sync" in facts.source:
        return []
    ddp, build = next(iter(facts.ddp_models.items()))
    out = []
    for w in windows(facts):
        for call in w.calls():
            b = facts.backward_of(call)
            if b is None or b[1] != "plain":
                continue
            message = (
                f"`{ddp}` (DistributedDataParallel, line {build.lineno}) all-reduces gradients on "
                f"every backward, but the optimizer steps {_where(w)}: {w.k} times the communication; "
                f"run all but the window's last micro-batch under `with {ddp}.no_sync():`"
            )
            out.append(violation(facts, call, "SG208", message))
            break
    return out


# -- SG205 ---------------------------------------------------------------------------------------

# (keyword, position) of schedule-length arguments, by scheduler name.
_LENGTH_ARGS: dict[str, tuple[tuple[str, int], ...]] = {
    "get_scheduler": (("num_training_steps", 3),),
    "OneCycleLR": (("total_steps", 2), ("steps_per_epoch", 4)),
    "CosineAnnealingLR": (("T_max", 1),),
    "LinearLR": (("total_iters", 3),),
    "PolynomialLR": (("total_iters", 1),),
}


def _length_args(call: ast.Call) -> list[tuple[str, ast.expr]]:
    name = call_name(call)
    spec = _LENGTH_ARGS.get(name)
    if spec is None and name.startswith("get_") and name.endswith("schedule_with_warmup"):
        spec = (("num_training_steps", 2),)
    out = []
    for key, pos in spec or ():
        value = kwarg(call, key)
        if (
            value is None
            and len(call.args) > pos
            and not any(isinstance(a, ast.Starred) for a in call.args[: pos + 1])
        ):
            value = call.args[pos]
        if value is not None:
            out.append((key, value))
    return out


def _counts(
    facts: Facts, expr: ast.AST, at: ast.AST, depth: int = 0
) -> tuple[ast.expr | None, bool]:
    """(the first ``len(...)`` argument, whether it divides or rounds) over `expr` and the names
    it is built from."""
    found: ast.expr | None = None
    has_div = False
    for n in walk(expr):
        if isinstance(n, ast.Call) and call_name(n) == "len":
            if found is None and n.args:
                found = n.args[0]
        elif (isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv))) or (
            isinstance(n, ast.Call) and call_name(n) in ("ceil", "floor", "optimizer_steps")
        ):
            has_div = True
        elif isinstance(n, ast.Name) and depth < 3:
            value = binding(facts, n.id, at)
            if value is not None:
                a, b = _counts(facts, value, value, depth + 1)
                found = found if found is not None else a
                has_div = has_div or b
    return found, has_div


def check_sg205(facts: Facts) -> list[Violation]:
    """SG205: a schedule sized with ``len(loader)`` (micro-batches) in a file that accumulates."""
    ws = windows(facts)
    if not ws:
        return []
    w = ws[0]
    out = []
    for call in facts.scheduler_builds:
        for key, expr in _length_args(call):
            loader, has_div = _counts(facts, expr, call)
            if loader is None or has_div:
                continue
            if w.k != "k" and any(short(n, 40) == w.k for n in walk(expr)):
                continue
            shown = f"`{key}={short(expr, 50)}`"
            if isinstance(expr, ast.Name):
                value = binding(facts, expr.id, call)
                if value is not None:
                    shown += f" (= `{short(value, 50)}`)"
            message = (
                f"{shown} counts micro-batches of `{short(loader, 30)}`, but the optimizer steps "
                f"{_where(w)}: the schedule is {w.k} times too long; count optimizer steps: "
                f"`math.ceil(len({short(loader, 30)}) / {w.k})` per epoch"
            )
            out.append(violation(facts, expr, "SG205", message, argument=key))
    return out
