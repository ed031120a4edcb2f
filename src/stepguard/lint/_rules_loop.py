"""Accumulation-window rules: SG202, SG203, SG208, SG210 (SG201 is `_rules_loss`, SG205
`_rules_schedule`).

All of them start from the windows `scan_windows` recognises (and from accelerate's
``with accelerator.accumulate(model):`` blocks for SG202/SG203/SG210): a statement that runs on
every micro-batch of a window is reported when it should run once per optimizer step. Each
finding depends on the window length being > 1 (`window_condition`). The SG202/SG203 safe fix
(`move_edits`) lives here, next to those checks.
"""

from __future__ import annotations

import ast

from stepguard.lint._autofix import Edit, indent_of, overlaps, whole_lines
from stepguard.lint._base import Violation, violation
from stepguard.lint._flow import exclusive
from stepguard.lint._rules_schedule import sized_in_micro_batches
from stepguard.lint._scan import Facts, call_name, dotted, receiver, short, walk
from stepguard.lint._window_rules import (
    accumulates,
    statement_of,
    where_it_steps,
    window_condition,
    windows,
)
from stepguard.lint._windows import Window, accumulate_blocks

# -- SG202 / SG203 / SG210 ------------------------------------------------------------------------


def _per_micro(facts: Facts, code: str) -> list[Violation]:
    out = []
    for w in windows(facts):
        cond = window_condition(facts, w)
        for call in w.calls():
            rec = receiver(call)
            if code == "SG202" and facts.is_scheduler_step(call):
                if sized_in_micro_batches(facts, w, call):
                    continue  # schedule counted in micro-batches, stepped per micro-batch
                what = f"`{short(call)}`"
                message = (
                    f"{what} runs on every micro-batch, but the optimizer steps "
                    f"{where_it_steps(w)}: the schedule advances {w.k} times too fast; step it "
                    "right after the optimizer"
                )
                stmt = statement_of(facts, call)
                edits = move_edits(facts, w, stmt, before=False) if stmt else ()
                out.append(violation(facts, call, code, message, edits, cond))
            elif code == "SG203" and (facts.is_clip(call) or facts.is_accelerate_clip(call)):
                message = (
                    f"`{call_name(call)}` clips the partial gradient on every micro-batch, but the "
                    f"optimizer steps {where_it_steps(w)}: clip once, on the accumulated "
                    "gradient, right before the optimizer step"
                )
                stmt = statement_of(facts, call)
                edits = move_edits(facts, w, stmt, before=True) if stmt else ()
                out.append(violation(facts, call, code, message, edits, cond))
            elif code == "SG210" and rec is not None and facts.is_zero_grad(call):
                d = dotted(rec)
                if facts.is_optimizer(rec) and w.stepped and d not in w.stepped:
                    continue  # another optimizer's gradients
                message = (
                    f"`{short(call)}` runs on every micro-batch, but the optimizer steps "
                    f"{where_it_steps(w)}: it wipes the gradients being accumulated, so each step "
                    "sees only the last micro-batch; zero once, right after the optimizer step"
                )
                out.append(violation(facts, call, code, message, (), cond))
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
    """``if (i + 1) % k == 0: optimizer.zero_grad()`` before the backward, same test as the step;
    or, in the step's own block, ``zero_grad()`` before that block's backward (``if (i + 1) % k
    == 0: optimizer.zero_grad(); loss.backward(); optimizer.step() else: loss.backward()``)."""
    guard = w.guard
    assert guard is not None
    out = _zero_before_last_backward(facts, w, guard)
    first_backward = min(
        (c.lineno for c in w.calls() if facts.backward_of(c) is not None), default=None
    )
    if first_backward is None:
        return out
    key = ast.dump(guard.test)
    for node in walk(w.loop):
        if (
            isinstance(node, ast.If)
            and node is not guard
            and node.lineno < first_backward
            and ast.dump(node.test) == key
            and not exclusive(facts, node, w.step)
        ):
            for call in (n for n in walk(node) if isinstance(n, ast.Call)):
                if facts.is_zero_grad(call):
                    message = (
                        f"`{short(call)}` runs at the top of the window's last micro-batch "
                        f"(`{short(guard.test)}`), before its backward: the gradients of the "
                        "window's other micro-batches are wiped; zero right after the step instead"
                    )
                    out.append(
                        violation(facts, call, "SG210", message, (), window_condition(facts, w))
                    )
    return out


def _zero_before_last_backward(facts: Facts, w: Window, guard: ast.If) -> list[Violation]:
    """``zero_grad()`` of the stepped optimizer (or of a module) in the step's block, before that
    block's backward and its step: the window's earlier micro-batches backpropagated already
    (the ``else`` branch, or the statements before the guard), and this wipes them."""
    block = [
        n
        for s in guard.body
        for n in walk(s)
        if isinstance(n, ast.Call) and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    if w.step not in block:
        return []
    backwards = [c.lineno for c in block if facts.backward_of(c) is not None]
    out = []
    for call in block:
        rec = receiver(call)
        if rec is None or not facts.is_zero_grad(call) or exclusive(facts, call, w.step):
            continue
        if facts.is_optimizer(rec) and w.stepped and dotted(rec) not in w.stepped:
            continue  # another optimizer's gradients
        if not any(call.lineno < b <= w.step.lineno for b in backwards):
            continue  # zeroed after the step, or with no backward of its own to follow
        if any(facts.is_optimizer_step(c) and c.lineno < call.lineno for c in block):
            continue  # a step already ran in this block: a new window starts here
        message = (
            f"`{short(call)}` runs in the window's last micro-batch (`{short(guard.test, 60)}`) "
            "before its backward: the gradients of the window's other micro-batches are wiped, "
            "so each step sees only the last micro-batch; zero right after the step instead"
        )
        out.append(violation(facts, call, "SG210", message, (), window_condition(facts, w)))
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
        can_accumulate, cond = accumulates(facts, block)
        if not can_accumulate:
            continue  # Accelerator(gradient_accumulation_steps=1): nothing accumulates
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
                out.append(violation(facts, call, code, message, (), cond))
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
                out.append(violation(facts, call, code, message, (), cond))
            elif code == "SG203" and (facts.is_clip(call) or facts.is_accelerate_clip(call)):
                message = (
                    f"`{call_name(call)}` inside `with {head}:` clips the partial gradient on "
                    "every micro-batch; clip under `if accelerator.sync_gradients:`"
                )
                out.append(violation(facts, call, code, message, (), cond))
    return out


def check_sg202(facts: Facts) -> list[Violation]:
    """SG202: ``scheduler.step()`` on every micro-batch of a window (unless the schedule is sized
    in micro-batches too)."""
    return _per_micro(facts, "SG202")


def check_sg203(facts: Facts) -> list[Violation]:
    """SG203: gradient clipping on every micro-batch of a window."""
    return _per_micro(facts, "SG203")


def check_sg210(facts: Facts) -> list[Violation]:
    """SG210: ``zero_grad()`` on every micro-batch of a window (or in an accumulate block)."""
    return _per_micro(facts, "SG210")
