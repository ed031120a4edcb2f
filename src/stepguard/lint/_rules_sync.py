"""Mixed-precision and DDP rules: SG204 (clip before unscale), SG211 (scheduler after a possibly
skipped ``scaler.step``), SG212 (DDP sync toggled after the forward), SG208 (DDP all-reducing on
every micro-batch of a window).

SG204, SG211 and SG212 read statement order inside one function: what runs before what, in
branches that can run together (``if use_amp: ... else: ...`` are exclusive). Their findings
depend on AMP being on (`amp_conditions`: the scaler's ``enabled=``, the test that builds it);
SG208 and SG212 on a window length > 1 and more than one process.
"""

from __future__ import annotations

import ast
import re

from stepguard.lint._activity import branch_conditions
from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._ddp_trace import helper_ddp
from stepguard.lint._flow import exclusive
from stepguard.lint._objects import builds, callee, callers, passed_argument
from stepguard.lint._scan import Facts, build_kind, call_name, dotted, kwarg, receiver, short, walk
from stepguard.lint._values import binding, params_arg
from stepguard.lint._window_rules import (
    accumulates,
    statement_of,
    where_it_steps,
    window_condition,
    windows,
)
from stepguard.lint._windows import Window

_BACKWARD_ONLY_CALLS = frozenset(
    ("backward", "scale", "mean", "sum", "item", "detach", "float", "div", "mul", "manual_backward")
)
_SYNC_SWITCHES = ("no_sync", "require_backward_grad_sync", "disable_allreduce", "enable_allreduce")
WORLD = "world size"
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def amp_conditions(
    facts: Facts, scaler: ast.expr | None, at: ast.AST | None = None
) -> list[Condition]:
    """The scaler scales only when AMP is on: its ``enabled=`` value, the ``x if test else None``
    or the ``if`` that builds it; when its construction is not visible, the tests about AMP of
    the ``if`` blocks around `at` (``if use_amp:``, ``if args.fp16:``)."""
    d = dotted(scaler) if scaler is not None else None
    value = facts.scaler_builds.get(d or "")
    if value is None:
        # The scaler comes from elsewhere: the `if use_amp:` around the finding decides.
        if at is None:
            return []
        return [
            Condition(c.what, c.exprs, c.facts, c.test)
            for c in branch_conditions(facts, at)
            if _amp_test(c.exprs[0])
        ]
    if isinstance(value, ast.Call) and not _builds_scaler_itself(facts, value):
        # `optimizer, schedulers, scaler = prepare_optimizers(args, model)`: the helper's
        # `if args.fp16: scaler = GradScaler()` decides.
        inner = _helper_scaler_build(facts, value)
        if inner is not None:
            facts, value = inner
    out: list[Condition] = []
    if isinstance(value, ast.IfExp):
        build_in_body = isinstance(value.body, ast.Call) and call_name(value.body).endswith(
            "Scaler"
        )
        out.append(
            Condition(
                short(value.test, 50), (value.test,), facts, "true" if build_in_body else "false"
            )
        )
        value = value.body if build_in_body else value.orelse
    if isinstance(value, ast.Call):
        enabled = kwarg(value, "enabled")
        if enabled is not None and not (
            isinstance(enabled, ast.Constant) and enabled.value is True
        ):
            what = "enabled" if isinstance(enabled, ast.Constant) else _amp_name(enabled)
            out.append(Condition(what, (enabled,), facts, "true"))
    stmt = statement_of(facts, value)
    if stmt is not None:
        out += [Condition(c.what, c.exprs, c.facts, c.test) for c in branch_conditions(facts, stmt)]
    return out


def _builds_scaler_itself(facts: Facts, call: ast.Call) -> bool:
    """``GradScaler(...)`` / ``ShardedGradScaler(...)`` / ``amp.GradScaler(...)``: a scaler class,
    not a helper that returns one."""
    return call_name(call).endswith("Scaler") and callee(facts, call) is None


def _helper_scaler_build(facts: Facts, call: ast.Call) -> tuple[Facts, ast.expr] | None:
    """The one scaler construction inside the helper `call` calls, with that file's facts."""
    found = callee(facts, call)
    if found is None:
        return None
    owner, func = found
    inner = [
        c
        for c in walk(func)
        if isinstance(c, ast.Call)
        and owner.function_of(c) is func
        and _builds_scaler_itself(owner, c)
        and build_kind(owner, c) == "scaler"
    ]
    if len(inner) != 1:
        return None
    parent = owner.parents.get(inner[0])
    if isinstance(parent, ast.IfExp):
        return owner, parent  # `GradScaler() if args.fp16 else None`
    return owner, inner[0]


# The dtypes `torch` defines under these names (`torch.float16`, `torch.half`, ...).
_TORCH_DTYPES = frozenset(
    [
        "float16",
        "half",
        "bfloat16",
        "float32",
        "float",
        "float64",
        "double",
        "complex64",
        "cfloat",
        "complex128",
        "cdouble",
        "uint8",
        "int8",
        "int16",
        "short",
        "int32",
        "int",
        "int64",
        "long",
        "bool",
        "float8_e4m3fn",
        "float8_e5m2",
    ]
)


def never_enabled(facts: Facts, scaler: ast.expr | None) -> bool:
    """The scaler's ``enabled=`` is false whatever the settings: ``enabled=False``, or a
    comparison of a ``torch.dtype`` with a string (``ptdtype == "float16"`` with ``ptdtype`` bound
    to ``torch.float16`` or to a subscript of a dict of torch dtypes), which is always False: a
    dtype never equals a str. Anything less certain (a setting whose default is False) is not."""
    value = facts.scaler_builds.get(dotted(scaler) or "") if scaler is not None else None
    if not isinstance(value, ast.Call) or not _builds_scaler_itself(facts, value):
        return False
    enabled = kwarg(value, "enabled")
    return enabled is not None and _always_false(facts, enabled, value)


def _always_false(facts: Facts, test: ast.expr, at: ast.AST) -> bool:
    if isinstance(test, ast.Constant):
        return test.value is False
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_always_false(facts, v, at) for v in test.values)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return all(_always_false(facts, v, at) for v in test.values)
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.Is))
    ):
        left, right = test.left, test.comparators[0]
        for a, b in ((left, right), (right, left)):
            if (
                isinstance(b, ast.Constant)
                and isinstance(b.value, str)
                and _torch_dtype(facts, a, at, 0)
            ):
                return True
    return False


def _torch_dtype(facts: Facts, node: ast.expr, at: ast.AST, depth: int) -> bool:
    """`node` is certainly a ``torch.dtype``: ``torch.float16``, a name bound once to one, a
    subscript of a dict literal whose values all are, or an ``x if c else y`` of two."""
    if depth > 3:
        return False
    if isinstance(node, ast.Attribute):
        q = facts.resolve(node)
        return q is not None and q.startswith("torch.") and q[6:] in _TORCH_DTYPES
    if isinstance(node, ast.Name):
        value = binding(facts, node.id, at)
        return value is not None and _torch_dtype(facts, value, value, depth + 1)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        values = node.value.values
        return bool(values) and all(
            v is not None and _torch_dtype(facts, v, at, depth + 1) for v in values
        )
    if isinstance(node, ast.IfExp):
        return _torch_dtype(facts, node.body, at, depth + 1) and _torch_dtype(
            facts, node.orelse, at, depth + 1
        )
    return False


_AMP_WORDS = ("amp", "fp16", "half", "mixed", "precision", "scaler", "float16", "autocast")


def _amp_test(test: ast.expr) -> bool:
    text = ast.unparse(test).lower()
    return any(w in text for w in _AMP_WORDS)


def _amp_name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return short(expr, 40)


def _scaled_backward_scaler(facts: Facts, call: ast.Call) -> ast.expr | None:
    """The scaler of ``scaler.scale(loss).backward()``, else None."""
    rec = receiver(call)
    if (
        call_name(call) == "backward"
        and isinstance(rec, ast.Call)
        and call_name(rec) == "scale"
        and receiver(rec) is not None
        and facts.is_scaler(receiver(rec))  # type: ignore[arg-type]
    ):
        return receiver(rec)
    return None


def _apex_block(facts: Facts, clip: ast.Call) -> ast.With | None:
    """The ``with amp.scale_loss(...) as scaled:`` block (apex) that holds `clip`."""
    p = facts.parents.get(clip)
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(p, ast.With) and any(
            isinstance(i.context_expr, ast.Call) and call_name(i.context_expr) == "scale_loss"
            for i in p.items
        ):
            return p
        p = facts.parents.get(p)
    return None


def check_sg204(facts: Facts) -> list[Violation]:
    """SG204: torch clipping after ``scaler.scale(loss).backward()`` with no ``unscale_`` before,
    on a path where both run (not the fp32 branch of an AMP ``if``/``else``); or inside apex's
    ``with amp.scale_loss(...)`` block, which unscales only when it exits."""
    out = []
    for clip in facts.calls:
        if not facts.is_clip(clip):
            continue
        block = _apex_block(facts, clip)
        if block is not None:
            backward = next(
                (
                    c
                    for s in block.body
                    for c in walk(s)
                    if isinstance(c, ast.Call)
                    and call_name(c) == "backward"
                    and _pos(c) < _pos(clip)
                ),
                None,
            )
            if backward is not None:
                message = (
                    f"`{call_name(clip)}` runs inside `with "
                    f"{short(block.items[0].context_expr, 40)}`, after `{short(backward, 30)}`: "
                    "apex unscales the gradients only when the block exits, so this clips "
                    "scaled gradients; clip after the block, on `amp.master_params(optimizer)`"
                )
                conditions = amp_conditions(facts, None, clip)
                out.append(violation(facts, clip, "SG204", message, (), conditions))
            continue
        scope = facts.function_of(clip)
        scale_backward = None
        unscaled = False
        for call in (n for n in walk(scope) if isinstance(n, ast.Call)):
            if _pos(call) >= _pos(clip) or facts.function_of(call) is not scope:
                continue
            if exclusive(facts, call, clip):
                continue
            if (
                call_name(call) == "unscale_"
                or (isinstance(call.func, ast.Name) and call.func.id in facts.unscale_functions)
                or facts.is_scaler_step(call)
            ):
                # `scaler.step(optimizer)` unscales the gradients in place (when `unscale_` has
                # not), so a clip after it sees real gradients.
                unscaled = True
            if _scaled_backward_scaler(facts, call) is not None:
                scale_backward = call
        if scale_backward is None or unscaled:
            continue
        scaler_node = _scaled_backward_scaler(facts, scale_backward)
        if never_enabled(facts, scaler_node):
            continue  # a disabled scaler multiplies by 1: the clip sees the real gradients
        scaler = short(scaler_node, 30)  # type: ignore[arg-type]
        message = (
            f"`{call_name(clip)}` clips gradients still multiplied by the GradScaler's scale "
            f"(`{short(scale_backward, 40)}` at line {scale_backward.lineno}, no "
            f"`{scaler}.unscale_(optimizer)` before): the threshold is compared with scale x the "
            f"real norm; call `{scaler}.unscale_(optimizer)` first"
        )
        conditions = amp_conditions(facts, scaler_node, clip)
        out.append(violation(facts, clip, "SG204", message, (), conditions))
    return out


# (model name, "torch" / "apex" / "accelerate", line, the DDP construction and its file's facts)
DdpFound = tuple[str, str, int | str, tuple[Facts, ast.Call] | None]

_SKIP_WORDS = ("scale", "skip", "stepped", "inf", "finite", "optimizer_was_run", "overflow")


def _guards_skip(test: ast.expr, facts: Facts | None = None) -> bool:
    """A test that looks at whether the optimizer really stepped (the scale, a skip flag); a
    test of the scaler object itself (``if scaler is not None:``) is not one. Given the file's
    facts, a name of the test bound in its function to such a comparison counts too
    (``update_lr = scale_prev <= scaler.get_scale()``, then ``if sched and update_lr:``)."""
    # Identifiers only: a string compared in the test (``optimizer_name == "ScaledAdam"``) says
    # nothing about a skipped step.
    words: list[str] = []
    for n in ast.walk(test):
        if isinstance(n, ast.Name):
            words.append(n.id)
        elif isinstance(n, ast.Attribute):
            words.append(n.attr)
        elif isinstance(n, ast.keyword) and n.arg:
            words.append(n.arg)
        elif isinstance(n, ast.Constant) and str(n.value).lower().strip("+-") in ("inf", "nan"):
            words.append("inf")  # `grad_norm < float("inf")`
    text = " ".join(words).lower().replace("scaler", "")
    if any(w in text for w in _SKIP_WORDS):
        return True
    if facts is None:
        return False
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    if not names:
        return False
    bound = _skip_bindings(facts)
    if not bound:
        return False
    func = id(facts.function_of(test))
    return any((func, name) in bound for name in names)


def _skip_bindings(facts: Facts) -> frozenset[tuple[int, str]]:
    """(id of the function, name) of every name the file binds to a value that reads the scale
    or a finiteness check (`_reads_skip`), computed once per file."""
    cached = facts.cache.get("skip_bindings")
    if isinstance(cached, frozenset):
        return cached
    found = frozenset(
        (id(facts.function_of(a)), t.id)
        for a in facts.assigns
        if isinstance(a, ast.Assign) and _reads_skip(a.value)
        for t in a.targets
        if isinstance(t, ast.Name)
    )
    facts.cache["skip_bindings"] = found
    return found


# Words of an identifier (split at "_" and ".") that read whether a step ran.
_SKIP_TOKENS = frozenset(
    {"scale", "skip", "skipped", "stepped", "inf", "isinf", "finite", "isfinite", "overflow"}
)


def _reads_skip(value: ast.expr) -> bool:
    """`value` reads the scale or a finiteness check (``scale_prev <= scaler.get_scale()``,
    ``torch.isfinite(norm)``), judged by whole words of its identifiers (``info_dict`` is no
    ``inf``)."""
    for n in ast.walk(value):
        name = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
        if name == "optimizer_was_run" or _SKIP_TOKENS & set(name.lower().split("_")):
            return True
    return False


def _scheduler_steps(facts: Facts, stmts: list[ast.stmt], found: list[ast.Call]) -> bool:
    """Collect the ``scheduler.step()`` calls `stmts` make, also inside nested ``if`` blocks (not
    loops or functions); False when an ``if`` checks whether the optimizer stepped (stop)."""
    for s in stmts:
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            if (
                facts.is_scheduler_step(s.value)
                or _stepped_at_iteration(facts, s.value)
                or _hands_scheduler_step(facts, s.value)
            ):
                found.append(s.value)
        elif (
            isinstance(s, ast.Assign)
            and isinstance(s.value, ast.Call)
            and facts.is_scheduler_step(s.value)
        ):
            found.append(s.value)  # `new_lr = scheduler.step()`: a scheduler that returns its rate
        elif isinstance(s, ast.If):
            if _guards_skip(s.test, facts):
                return False
            if not _scheduler_steps(facts, s.body, found) or not _scheduler_steps(
                facts, s.orelse, found
            ):
                return False
    return True


def _hands_scheduler_step(facts: Facts, call: ast.Call) -> bool:
    """``ifexists_call(scheduler, scheduler.step)``: a scheduler's bound ``step`` handed, not
    called, to a helper that calls it (a helper's job when it is given a bound method)."""
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Attribute) and arg.attr == "step" and facts.is_scheduler(arg.value):
            return True
    return False


def _after(facts: Facts, stmt: ast.stmt) -> list[ast.Call]:
    """``scheduler.step()`` calls that run after `stmt` whatever it did: later statements of its
    block, then (climbing out of ``if`` blocks, not loops or functions) of the enclosing blocks;
    a later ``if`` that checks the scale or a skip flag stops the search there."""
    found: list[ast.Call] = []
    current: ast.stmt = stmt
    for _ in range(4):
        block = _block_of(facts, current)
        if block is None:
            break
        idx = next(i for i, s in enumerate(block) if s is current)
        if not _scheduler_steps(facts, block[idx + 1 :], found):
            return found
        if found:
            return found
        parent = facts.parents.get(current)
        if isinstance(parent, (ast.With, ast.AsyncWith)):
            current = parent  # `with autocast(): ...; scaler.step(opt)`, the scheduler after it
            continue
        if not isinstance(parent, ast.If) or _guards_skip(parent.test, facts):
            break
        current = parent
    return found


def _stepped_at_iteration(facts: Facts, call: ast.Call) -> bool:
    """``scheduler.step(i + epoch * len(loader))``: a scheduler given the index of the loop's
    iteration (the loop's target, or a counter the loop advances by a constant) moves on every
    iteration like ``scheduler.step()``, whether or not the optimizer stepped. A scheduler given
    an epoch or a metric (``step(val_loss)``) does not."""
    rec = receiver(call)
    if call_name(call) != "step" or rec is None or not facts.is_scheduler(rec):
        return False
    values = [*call.args, *(k.value for k in call.keywords)]
    if len(values) != 1 or isinstance(values[0], ast.Starred):
        return False
    loop = facts.enclosing(call, (*_LOOPS, ast.FunctionDef, ast.AsyncFunctionDef))
    if not isinstance(loop, _LOOPS):
        return False
    counters: set[str] = set()
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        target: ast.expr | None = loop.target
        if isinstance(loop.iter, ast.Call) and call_name(loop.iter) == "enumerate":
            # `for i, batch in enumerate(loader)`: only the index counts iterations
            if isinstance(target, ast.Tuple) and target.elts:
                target = target.elts[0]
        elif not (isinstance(loop.iter, ast.Call) and call_name(loop.iter) == "range"):
            target = None  # `for batch in loader`: the item is no index
        if isinstance(target, ast.Name):
            counters.add(target.id)
    for n in walk(loop):
        if (
            isinstance(n, ast.AugAssign)
            and isinstance(n.op, ast.Add)
            and isinstance(n.value, ast.Constant)
            and (d := dotted(n.target)) is not None
        ):
            counters.add(d)
    return any(
        dotted(n) in counters for n in walk(values[0]) if isinstance(n, (ast.Name, ast.Attribute))
    )


def _before(facts: Facts, stmt: ast.stmt) -> list[ast.Call]:
    """``scheduler.step()`` calls that run earlier in the same pass as `stmt`, whatever it then
    does (``for lrs in schedulers: lrs.step()`` then ``take_optimizer_step(...)``): earlier
    statements of its block, then (climbing out of ``if`` blocks, not loops or functions) of the
    enclosing blocks. Nothing inside an ``if`` that checks the scale or a skip flag counts."""
    found: list[ast.Call] = []
    current: ast.stmt = stmt
    for _ in range(4):
        block = _block_of(facts, current)
        if block is None:
            break
        idx = next(i for i, s in enumerate(block) if s is current)
        for s in block[:idx]:
            if isinstance(s, (ast.For, ast.AsyncFor)) and _over_schedulers(facts, s):
                _scheduler_steps(facts, s.body, found)
            else:
                _scheduler_steps(facts, [s], found)
        if found:
            return found
        parent = facts.parents.get(current)
        if (
            not isinstance(parent, ast.If)
            or _guards_skip(parent.test, facts)
            or _window_test(facts, parent)
        ):
            break  # before a window's guard is every micro-batch: SG202's business
        current = parent
    return found


def _window_test(facts: Facts, node: ast.If) -> bool:
    """`node` is an accumulation window's guard, or tests a remainder (``(step + 1) % k``)."""
    if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in ast.walk(node.test)):
        return True
    return any(w.guard is node for w in windows(facts))


def _over_schedulers(facts: Facts, loop: ast.For | ast.AsyncFor) -> bool:
    """``for lrs in lr_schedulers:``: a loop that steps each scheduler of a list once."""
    return isinstance(loop.target, ast.Name) and facts.is_scheduler(loop.target)


def check_sg211(facts: Facts) -> list[Violation]:
    """SG211: ``scheduler.step()`` after ``scaler.step(optimizer)`` (in its block, or after the
    ``if``/``else`` that holds it), not behind a check that the optimizer stepped."""
    out = []
    for call in facts.calls:
        if not facts.is_scaler_step(call):
            continue
        stmt = statement_of(facts, call)
        if stmt is None or not _runs_alone(stmt, call):
            continue
        if any(_guards_skip(test, facts) for _, test, _ in facts.branches(call)):
            # `if not torch.isfinite(grad_norm): ... else: scaler.step(...)`: the gradients were
            # checked finite, so the scaler does not skip this step.
            continue
        if call_name(call) != "step" and _steps_in_a_loop(facts, call):
            # `train_one_epoch(...)` steps many times; a scheduler stepped after it is stepped
            # per epoch, and one skipped step does not shift an epoch count.
            continue
        after = _after(facts, stmt)
        for sched in after or _before(facts, stmt):
            via = "" if call_name(call) == "step" else " (which calls `scaler.step`)"
            rec = receiver(call)
            scaler = rec if rec is not None and facts.is_scaler(rec) else None
            if never_enabled(facts, scaler):
                break  # a scaler that is never enabled never skips a step
            when = "runs even when" if after else "runs before, and advances even when,"
            fix = "" if after else " after the optimizer, and"
            message = (
                f"`{short(sched)}` {when} `{short(call)}`{via} (line {call.lineno}) "
                f"skipped the optimizer step (inf/NaN gradients){_enabled_by(facts, scaler)}: "
                f"the schedule runs ahead of the optimizer; step it{fix} only when the scale did "
                "not drop"
            )
            conditions = amp_conditions(facts, scaler, call) or _helper_amp_conditions(facts, call)
            if scaler is not None and dotted(scaler) in facts.scaler_builds:
                # `if args.amp: scaler.step(opt) else: opt.step()` then `scheduler.step()`: the
                # scaler steps (and may skip) only when that test holds.
                conditions += _step_only_conditions(facts, call, sched)
            out.append(violation(facts, sched, "SG211", message, (), conditions))
    return out


def _enabled_by(facts: Facts, scaler: ast.expr | None) -> str:
    """The clause saying when the scaler can skip a step, for a scaler built behind a setting
    (a non-constant ``enabled=``, an ``x if test else None``); "" for one always on."""
    value = facts.scaler_builds.get(dotted(scaler) or "") if scaler is not None else None
    if isinstance(value, ast.IfExp):
        return f", which it can do only when `{short(value.test, 50)}` builds the scaler"
    if isinstance(value, ast.Call):
        enabled = kwarg(value, "enabled")
        if enabled is not None and not isinstance(enabled, ast.Constant):
            return f", which it can do only while it is enabled (`enabled={short(enabled, 50)}`)"
    return ""


def _step_only_conditions(facts: Facts, step: ast.Call, sched: ast.Call) -> list[Condition]:
    """The AMP tests (``if args.amp:``, ``if use_fp16:``) of the ``if`` blocks around `step`
    that do not also hold `sched`: the scaler steps only when they hold (not neutral: an
    unresolved one leaves the finding latent). A window guard there is no AMP setting."""
    shared = {id(node) for node, _, _ in facts.branches(sched)}
    return [
        Condition(short(test, 50), (test,), facts, "true" if body else "false")
        for node, test, body in facts.branches(step)
        if id(node) not in shared and _amp_test(test)
    ]


def _helper_amp_conditions(facts: Facts, call: ast.Call) -> list[Condition]:
    """For a helper that steps the scaler (``self.train_step(batch)``): the AMP settings its
    ``scaler.step`` depends on (the scaler's ``enabled=``, ``GradScaler() if use_amp else None``,
    the ``if self.use_amp:`` around it)."""
    if call_name(call) == "step":
        return []
    found = callee(facts, call)
    if found is None:
        return []
    owner, func = found
    for c in walk(func):
        if isinstance(c, ast.Call) and owner.function_of(c) is func and owner.is_scaler_step(c):
            rec = receiver(c)
            scaler = rec if rec is not None and owner.is_scaler(rec) else None
            return amp_conditions(owner, scaler, c)
    return []


def _runs_alone(stmt: ast.stmt, call: ast.Call) -> bool:
    """`stmt` is `call` as a statement, or an assignment of its result (``loss, logs =
    self.train_step(batch)``) that none of its targets says whether the step ran (``loss,
    skipped = ...`` hands that to a later check)."""
    if isinstance(stmt, ast.Expr):
        return True
    if not isinstance(stmt, ast.Assign) or stmt.value is not call or call_name(call) == "step":
        return False
    return not any(_guards_skip(t) for t in stmt.targets)


def _steps_in_a_loop(facts: Facts, call: ast.Call, depth: int = 0) -> bool:
    """The helper `call` runs reaches ``scaler.step`` inside a loop of its own (or of a helper it
    calls): it steps many times per call, like ``train_one_epoch``. False when that is not
    visible."""
    found = callee(facts, call)
    if found is None or depth > 3:
        return False
    owner, func = found
    for c in (n for n in walk(func) if isinstance(n, ast.Call)):
        if owner.function_of(c) is not func or not owner.is_scaler_step(c):
            continue
        if owner.enclosing(c, (*_LOOPS, ast.FunctionDef, ast.AsyncFunctionDef)) is not func:
            return True
        if call_name(c) != "step" and _steps_in_a_loop(owner, c, depth + 1):
            return True
    return False


def _block_of(facts: Facts, stmt: ast.stmt) -> list[ast.stmt] | None:
    parent = facts.parents.get(stmt)
    if parent is None:
        return None
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    return None


def _siblings(facts: Facts, stmt: ast.stmt) -> tuple[list[ast.stmt], list[ast.stmt]] | None:
    """The statements that run before and after `stmt` in the same pass: its block's, and, when
    the block is the body of an ``if`` on a setting (``if ddp:``) or of a ``with``, those around
    that statement too (up to the loop or the function)."""
    before: list[ast.stmt] = []
    after: list[ast.stmt] = []
    cur: ast.stmt = stmt
    while True:
        block = _block_of(facts, cur)
        if block is None:
            return (before, after) if cur is not stmt else None
        idx = next(i for i, s in enumerate(block) if s is cur)
        before = block[:idx] + before
        after = after + block[idx + 1 :]
        parent = facts.parents.get(cur)
        plain_if = isinstance(parent, ast.If) and not any(
            isinstance(n, (ast.Call, ast.Await, ast.NamedExpr)) for n in walk(parent.test)
        )
        if not (plain_if or isinstance(parent, (ast.With, ast.AsyncWith))):
            return before, after
        assert isinstance(parent, ast.stmt)
        cur = parent


def _no_sync_receiver(facts: Facts, expr: ast.AST, at: ast.AST) -> ast.expr | None:
    """The DDP model whose ``no_sync()`` a with-item enters (also through ``x if c else y`` or a
    name bound to such an expression in the same function, or a call of a name bound to the
    method itself: ``ctx = model.no_sync if ... else nullcontext``; ``with ctx():``)."""
    if isinstance(expr, ast.Name):
        bound = binding(facts, expr.id, at)
        if bound is None:
            return None
        expr = bound
    elif (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and not expr.args
        and expr.func.id not in facts.aliases  # `nullcontext()`: imported, no binding to follow
    ):
        # `ctx = model.no_sync if not last else nullcontext` ... `with ctx():`
        bound = binding(facts, expr.func.id, at)
        if bound is not None:
            for n in walk(bound):
                if isinstance(n, ast.Attribute) and n.attr == "no_sync":
                    return n.value
        return None
    for n in walk(expr):
        if isinstance(n, ast.Call) and call_name(n) in _NO_SYNC_CONTEXTS:
            model = _no_sync_model(facts, n)
            if model is not None:
                return model
    return None


_NO_SYNC_CONTEXTS = ("no_sync", "no_backward_sync")


def _no_sync_model(facts: Facts, call: ast.Call) -> ast.expr | None:
    """The model a no-sync context is about: ``model.no_sync()``, or the module handed to a
    wrapper's context (``accelerator.no_sync(model)``, Lightning Fabric's
    ``fabric.no_backward_sync(model, enabled=...)``)."""
    rec = receiver(call)
    if rec is None:
        return None
    if call.args and not isinstance(call.args[0], ast.Starred):
        if call_name(call) == "no_backward_sync" or facts.is_accelerator(rec):
            return call.args[0]
        return None
    return rec if call_name(call) == "no_sync" else None


def check_sg212(facts: Facts) -> list[Violation]:
    """SG212: ``no_sync()`` / ``require_backward_grad_sync`` switched around ``backward()`` only."""
    out = []
    contexts = "no_sync" in facts.source or "no_backward_sync" in facts.source
    for w in facts.withs if contexts else ():
        model = None
        entered: ast.expr | None = None
        for item in w.items:
            if model is None:
                model = _no_sync_receiver(facts, item.context_expr, w)
                entered = item.context_expr
        if model is None or entered is None:
            continue
        calls = [n for s in w.body for n in walk(s) if isinstance(n, ast.Call)]
        if not any(facts.backward_of(c) is not None for c in calls):
            continue
        if any(call_name(c) not in _BACKWARD_ONLY_CALLS for c in calls):
            continue  # something else (the forward, most likely) runs inside: fine
        spelled = f"with {short(model, 30)}.no_sync()"
        if (
            isinstance(entered, ast.Call)
            and call_name(entered) in _NO_SYNC_CONTEXTS
            and entered.args
        ):
            more = ", ..." if len(entered.args) + len(entered.keywords) > 1 else ""
            spelled = f"with {short(entered.func, 40)}({short(model, 30)}{more})"
        message = (
            f"`{spelled}:` wraps only the backward; the forward ran outside it, and "
            "DDP decides in the forward whether the backward all-reduces, so the sync is not "
            f"skipped; put the forward inside the context too"
        )
        conditions = _sync_conditions(facts, w)
        if isinstance(entered, ast.Call) and call_name(entered) == "no_backward_sync":
            conditions += _fabric_devices(facts)
        out.append(violation(facts, w, "SG212", message, (), conditions))
    out += _accumulate_after_forward(facts)
    for node in facts.assigns:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Attribute) and target.attr == "require_backward_grad_sync"):
            continue
        model_name = dotted(target.value)
        around = _siblings(facts, node)
        if model_name is None or around is None:
            continue
        before, after = around
        forward_before = any(
            isinstance(n, ast.Call) and dotted(n.func) == model_name
            for s in before
            for n in walk(s)
        )
        backward_after = any(
            isinstance(n, ast.Call) and facts.backward_of(n) is not None
            for s in after
            for n in walk(s)
        )
        if forward_before and backward_after:
            message = (
                f"`{model_name}.require_backward_grad_sync` is set after the forward "
                f"`{model_name}(...)` ran: DDP already decided in that forward whether the "
                "backward all-reduces; set it before the forward"
            )
            out.append(violation(facts, node, "SG212", message, (), _sync_conditions(facts, node)))
    return out


def _accumulate_after_forward(facts: Facts) -> list[Violation]:
    """SG212: ``with accelerator.accumulate(model):`` entered after ``model(...)`` ran: on the
    steps that do not sync, accumulate() enters ``no_sync`` for the backward only, and the DDP
    forward already prepared the all-reduce. An Accelerator built without
    ``gradient_accumulation_steps`` has k = 1 (``accelerate launch`` sets it only for DeepSpeed,
    whose engine is not a DDP model): never reported."""
    if "accumulate" not in facts.source or not facts.accelerators:
        return []
    out = []
    for w in facts.withs:
        e = w.items[0].context_expr
        if not (isinstance(e, ast.Call) and call_name(e) == "accumulate" and e.args):
            continue
        rec = receiver(e)
        model = dotted(e.args[0])
        if rec is None or model is None or not facts.is_accelerator(rec):
            continue
        can, conditions = accumulates(facts, w)
        if not can or not conditions:
            continue  # k visibly 1, or not visible
        calls = [n for s in w.body for n in walk(s) if isinstance(n, ast.Call)]
        if not any(facts.backward_of(c) is not None for c in calls):
            continue
        forwards = (model, f"{model}.forward")
        if any(dotted(c.func) in forwards for c in calls):
            continue
        around = _siblings(facts, w)
        if around is None:
            continue
        before = [n for s in around[0] for n in walk(s) if isinstance(n, ast.Call)]
        ran = f"the forward `{model}(...)`"
        if not any(dotted(n.func) in forwards for n in before):
            helper = next((n for n in before if _runs_forward(facts, n, model)), None)
            if helper is None:
                continue
            ran = f"`{short(helper, 50)}`, which runs the forward of `{model}`,"
        message = (
            f"`with {short(e, 50)}:` is entered after {ran} ran: on the "
            "micro-batches that do not sync, accumulate() skips the all-reduce with no_sync, "
            "but DDP decides in the forward whether the backward all-reduces, so every "
            "micro-batch still syncs; run the forward inside the context too"
        )
        conditions = [Condition(WORLD, (), facts, ">1", neutral=True), *conditions]
        out.append(violation(facts, w, "SG212", message, (), conditions))
    return out


def _runs_forward(facts: Facts, call: ast.Call, model: str) -> bool:
    """`call` hands `model` to a helper of the tree (``loss = train_batch(model, batch)``) that
    calls it (``model(**batch)``, ``model.forward(x)``) with gradients on."""
    if not any(dotted(a) == model for a in (*call.args, *(k.value for k in call.keywords))):
        return False
    found = callee(facts, call, training=False)
    if found is None:
        return False
    owner, func = found
    a = func.args
    pos = [x.arg for x in (*a.posonlyargs, *a.args)]
    bound = isinstance(call.func, ast.Attribute) and pos[:1] in (["self"], ["cls"])
    names = {
        p
        for p in (*pos, *(x.arg for x in a.kwonlyargs))
        if (passed := passed_argument(call, func, p, pos, bound)) is not None
        and dotted(passed) == model
    }
    for n in walk(func):
        if not isinstance(n, ast.Call) or owner.function_of(n) is not func:
            continue
        f = (
            n.func.value
            if isinstance(n.func, ast.Attribute) and n.func.attr == "forward"
            else n.func
        )
        if isinstance(f, ast.Name) and f.id in names and not _no_grad(owner, n):
            return True
    return False


def _fabric_devices(facts: Facts) -> list[Condition]:
    """The devices of the file's one ``Fabric(devices=n)`` (on one node), as a condition: with a
    single device Fabric's ``no_backward_sync`` has nothing to skip."""
    builds = [c for c in facts.calls if call_name(c) == "Fabric"]
    if len(builds) != 1 or kwarg(builds[0], "num_nodes") is not None:
        return []  # several nodes: the world is a product the conditions cannot state
    value = kwarg(builds[0], "devices")
    if value is None or (isinstance(value, ast.Constant) and not _count(value.value)):
        return []  # "auto", -1, a list of ids: not a count the linter can compare
    return [Condition("devices", (value,), facts, ">1", neutral=True)]


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _window_around(facts: Facts, node: ast.AST) -> Window | None:
    for w in windows(facts):
        for loop in (w.loop, w.outer):
            if loop is not None and any(n is node for n in walk(loop)):
                return w
    return None


def _sync_conditions(facts: Facts, node: ast.AST) -> list[Condition]:
    """Skipping the sync matters only with several processes and a window longer than 1. When
    the code itself runs with and without DDP (the sync switch sits in a branch that asks
    whether the model is DDP: ``hasattr(model, "no_sync")``, ``isinstance(model, DDP)``,
    ``dist.is_initialized()``) and no DistributedDataParallel construction is visible in the
    tree, whether it is DDP is decided at launch: the world size is then a real condition."""
    w = _window_around(facts, node)
    out = window_condition(facts, w) if w is not None else []
    asks = any(_asks_ddp(test) for _, test, _ in facts.branches(node))
    neutral = not asks or bool(facts.ddp_models) or _ddp_in_tree(facts)
    return [*out, Condition(WORLD, (), facts, ">1", neutral=neutral)]


def _asks_ddp(test: ast.expr) -> bool:
    """A test of whether the model runs under DDP at all."""
    for n in walk(test):
        if not isinstance(n, ast.Call):
            continue
        name = call_name(n)
        if name == "is_initialized":
            return True
        if (
            name == "hasattr"
            and len(n.args) == 2
            and isinstance(n.args[1], ast.Constant)
            and n.args[1].value in ("no_sync", "module", "require_backward_grad_sync")
        ):
            return True
        if name == "isinstance" and len(n.args) == 2:
            kind = ast.unparse(n.args[1])
            if "DistributedDataParallel" in kind or "DDP" in kind:
                return True
    return False


def _ddp_in_tree(facts: Facts) -> bool:
    """Some file of the linted tree names DistributedDataParallel (a construction, an import)."""
    project = facts.project
    if project is None:
        return "DistributedDataParallel" in facts.source
    cache = project.cache.setdefault("ddp_in_tree", {})
    if "found" not in cache:
        cache["found"] = any(
            "DistributedDataParallel" in (project.text(p) or "")
            for p in project.files
            if p.endswith(".py")
        )
    return bool(cache["found"])


# -- SG208 ---------------------------------------------------------------------------------------


def _no_grad(facts: Facts, node: ast.AST) -> bool:
    p = facts.parents.get(node)
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(p, (ast.With, ast.AsyncWith)) and any(
            call_name(i.context_expr) in ("no_grad", "inference_mode")
            for i in p.items
            if isinstance(i.context_expr, ast.Call)
        ):
            return True
        p = facts.parents.get(p)
    return False


def _wrapped(facts: Facts, name: str) -> str | None:
    """The DDP model name that wraps model `name` (``ddp = DDP(model)``), or `name` itself."""
    if name in facts.ddp_models:
        return name
    for ddp, build in facts.ddp_models.items():
        if build.args and dotted(build.args[0]) == name:
            return ddp
    return None


def _ddp_model(facts: Facts, w: Window) -> DdpFound | None:
    """(model name, "torch" / "apex" / "accelerate", line, the construction with its file's facts
    when one is visible) of the DDP model whose backward the window runs: the one the stepped
    optimizer trains, else the one whose forward runs in the window with gradients on."""
    for opt in sorted(w.stepped):
        build = facts.optimizers.get(opt)
        params = params_arg(build) if build is not None else None
        for n in walk(params) if params is not None else ():
            if isinstance(n, ast.Call) and call_name(n) in ("parameters", "named_parameters"):
                owner = dotted(receiver(n)) if receiver(n) is not None else None  # type: ignore[arg-type]
                if owner is not None:
                    owner = owner.removesuffix(".module")
                    ddp = _wrapped(facts, owner)
                    if ddp is not None:
                        build = facts.ddp_models[ddp]
                        return ddp, _flavor(facts, ddp), build.lineno, (facts, build)
    forwards = [
        c
        for c in _micro_batch_calls(facts, w)
        if isinstance(c.func, (ast.Name, ast.Attribute)) and not _no_grad(facts, c)
    ]
    for c in forwards:
        d = dotted(c.func)
        if d is not None and d in facts.ddp_models:
            build = facts.ddp_models[d]
            return d, _flavor(facts, d), build.lineno, (facts, build)
    for c in forwards:  # a model passed in: the DDP wrapper its callers built
        d = dotted(c.func)
        if d is None or facts.is_optimizer(c.func) or d.startswith(("torch.", "F.", "nn.")):
            continue
        for built_in, build in builds(facts, c.func):
            if build_kind(built_in, build) == "ddp":
                q = built_in.resolve(build.func) or ""
                flavor = "apex" if q.startswith("apex") else "torch"
                line = build.lineno if built_in is facts else f"{built_in.path}:{build.lineno}"
                return d, flavor, line, (built_in, build)
    for c in forwards:  # a model a helper wraps and returns (`model, opt = distributed_opt(...)`)
        if isinstance(c.func, ast.Name) and not facts.is_optimizer(c.func):
            wrapped = helper_ddp(facts, c.func)
            if wrapped is not None:
                built_in, build = wrapped
                q = built_in.resolve(build.func) or ""
                line = build.lineno if built_in is facts else f"{built_in.path}:{build.lineno}"
                flavor = "apex" if q.startswith("apex") else "torch"
                return c.func.id, flavor, line, (built_in, build)
    found = _project_ddp(facts, w, forwards)
    if found is not None:
        return found
    if facts.accelerators:
        here = w.scope(facts)
        cls = facts.class_of(w.loop)
        prepared = {
            n
            for c in facts.calls
            if call_name(c).startswith("prepare")
            for n in _bound_names(facts, c)
            if facts.function_of(c) is here
            or (cls is not None and n.startswith("self.") and facts.class_of(c) is cls)
        }
        for c in forwards:
            d = dotted(c.func)
            if d is not None and d in prepared and not facts.is_optimizer(c.func):
                return d, "accelerate", c.lineno, None
        for c in forwards:  # a prepared model passed in (`train(args, model, ...)`)
            f = c.func
            if isinstance(f, ast.Attribute) and f.attr == "forward":
                f = f.value
            if isinstance(f, ast.Name) and _prepared_by_callers(facts, f.id, here):
                return f.id, "accelerate", c.lineno, None
    return None


def _wrap_conditions(site: tuple[Facts, ast.Call] | None) -> list[Condition]:
    """The run settings the DDP wrap depends on: the tests of the ``if`` blocks around its
    construction that read a setting (``if args.use_ddp: model = DDP(model)``; the other branch
    builds FSDP or nothing) or a flag parameter of the function that builds it (``def
    train_worker(..., is_distributed=False): if is_distributed: model = DDP(model)``).
    Unresolved, such a test leaves the finding latent."""
    if site is None:
        return []
    owner, build = site
    stmt = statement_of(owner, build)
    if stmt is None:
        return []
    func = owner.function_of(stmt)
    return [
        Condition(c.what, c.exprs, c.facts, c.test)
        for c in branch_conditions(owner, stmt, settings=True)
        if not c.neutral or _flag_parameter(func, c.exprs[0])
    ]


def _flag_parameter(func: ast.AST, test: ast.expr) -> bool:
    """``if is_distributed:`` / ``if not ddp:`` on a parameter of the function that builds the
    DDP model: its callers decide whether it wraps at all (a run-time test reads something else)."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if not isinstance(test, ast.Name) or not isinstance(
        func, (ast.FunctionDef, ast.AsyncFunctionDef)
    ):
        return False
    a = func.args
    return any(x.arg == test.id for x in (*a.posonlyargs, *a.args, *a.kwonlyargs))


def _passed_in(facts: Facts, node: ast.expr) -> bool:
    """`node` (``model``, ``self.model``) holds an object handed in from outside: a parameter
    of its function, or an attribute the class sets from a parameter of one of its methods,
    and no construction of it is visible (its callers are not in the linted files)."""
    if builds(facts, node):
        return False
    if isinstance(node, ast.Name):
        scope = facts.function_of(node)
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        a = scope.args
        return node.id in {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    d = dotted(node)
    cls = facts.class_of(node)
    if d is None or cls is None or not d.startswith("self.") or d.count(".") != 1:
        return False
    for stmt in walk(cls):
        if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Name):
            continue
        if any(dotted(t) == d for t in stmt.targets):
            method = facts.function_of(stmt)
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                x.arg == stmt.value.id for x in (*method.args.args, *method.args.kwonlyargs)
            ):
                return True
    return False


def _tree_ddp(facts: Facts) -> tuple[Facts, ast.Call] | None:
    """The one model the linted tree wraps in DistributedDataParallel (in any file, in any
    function), when no file of the tree switches DDP's gradient sync; else None."""
    project = facts.project
    if project is None:
        return None
    cache = project.cache.setdefault("tree_ddp", {})
    if "found" in cache:
        return cache["found"]
    found: list[tuple[Facts, ast.Call]] = []
    switches = False
    for path in project.files:
        text = project.text(path)
        if text is None or "DistributedDataParallel" not in text:
            continue
        other = facts if path == facts.path else project.definitions(path)
        if other is None:
            continue
        if _switches_sync(other):
            switches = True
            break
        found += [(other, c) for c in other.calls if build_kind(other, c) == "ddp"]
    wrapped = {dotted(c.args[0]) if c.args else None for _, c in found}
    one = found[0] if found and not switches and len(wrapped) == 1 else None
    cache["found"] = one
    return one


def _project_ddp(facts: Facts, w: Window, forwards: list[ast.Call]) -> DdpFound | None:
    """A model handed in from outside (a parameter, ``self.model`` set from ``__init__``'s
    argument) whose construction the linted files do not show, in a tree that wraps one model in
    DistributedDataParallel elsewhere (a launcher built with ``mp.spawn``, a factory module):
    that wrapper is the model the window runs. The model is the one the stepped optimizer
    trains, else a forward named like a network."""
    if facts.accelerators or facts.project is None:
        return None
    owners: set[str] = set()
    for opt in sorted(w.stepped):
        build = facts.optimizers.get(opt)
        params = params_arg(build) if build is not None else None
        for n in walk(params) if params is not None else ():
            if isinstance(n, ast.Call) and call_name(n) in ("parameters", "named_parameters"):
                r = receiver(n)
                d = dotted(r) if r is not None else None
                if d is not None:
                    owners.add(d.removesuffix(".module").removeprefix("self."))
    candidates = []
    for c in forwards:
        d = dotted(c.func)
        if d is None or facts.is_optimizer(c.func) or d.startswith(("torch.", "F.", "nn.")):
            continue
        if d.count(".") > 1 or (d.count(".") == 1 and not d.startswith("self.")):
            continue
        name = d.removeprefix("self.")
        if name in owners or (not owners and _NETWORK.search(name)):
            candidates.append(c)
    for c in candidates:
        if not _passed_in(facts, c.func):
            continue
        found = _tree_ddp(facts)
        if found is None:
            return None
        owner, build = found
        q = owner.resolve(build.func) or ""
        line = build.lineno if owner is facts else f"{owner.path}:{build.lineno}"
        flavor = "apex" if q.startswith("apex") else "torch"
        return dotted(c.func) or "model", flavor, line, (owner, build)
    return None


_NETWORK = re.compile(r"(?i)model|net|module|encoder|ddp")


def _prepared_by_callers(facts: Facts, name: str, func: ast.AST) -> bool:
    """Parameter `name` of `func` receives, from every caller that passes it, a name bound by
    ``accelerator.prepare(...)`` in the caller's scope."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    a = func.args
    pos = [x.arg for x in (*a.posonlyargs, *a.args)]
    if name not in pos:
        return False
    found = False
    for owner, call in callers(facts, func)[:8]:
        passed = passed_argument(call, func, name, pos)
        if not isinstance(passed, ast.Name):
            return False
        scope = owner.function_of(call)
        if not any(
            build_kind(owner, p) == "prepare"
            and owner.function_of(p) is scope
            and passed.id in _bound_names(owner, p)
            for p in owner.calls
        ):
            return False
        found = True
    return found


def _micro_batch_calls(facts: Facts, w: Window) -> list[ast.Call]:
    """The calls of every micro-batch: the window's, and for a function run once per micro-batch,
    those of the loops that call it (the forward often runs there)."""
    out = list(w.calls())
    if isinstance(w.loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for call in w.calls_in:
            loop = facts.enclosing(call, _LOOPS)
            if isinstance(loop, _LOOPS) and facts.function_of(loop) is facts.function_of(call):
                out += [n for s in loop.body for n in walk(s) if isinstance(n, ast.Call)]
    return out


def _bound_names(facts: Facts, call: ast.Call) -> list[str]:
    from stepguard.lint._scan import assigned_names

    parent = facts.parents.get(call)
    if isinstance(parent, ast.Assign):
        return [n for t in parent.targets for n in assigned_names(t)]
    return []


def _backward_helper(facts: Facts, call: ast.Call) -> bool:
    """A call of a helper that runs the backward (``loss_scaler(loss, ...)``, ``self.backward()``)."""
    f = call.func
    if isinstance(f, ast.Name):
        return f.id in facts.backward_functions
    return (
        isinstance(f, ast.Attribute)
        and f.attr in facts.backward_functions
        and dotted(f.value) in ("self", "cls")
    )


def _flavor(facts: Facts, ddp: str) -> str:
    q = facts.resolve(facts.ddp_models[ddp].func) or ""
    return "apex" if q.startswith("apex") else "torch"


def _switches_sync(facts: Facts) -> bool:
    """The file uses a DDP sync switch somewhere (a call or an attribute, not a comment)."""
    if not any(word in facts.source for word in _SYNC_SWITCHES):
        return False
    for node in facts.parents:
        if isinstance(node, ast.Attribute) and node.attr in _SYNC_SWITCHES:
            return True
    return False


def check_sg208(facts: Facts) -> list[Violation]:
    """SG208: a manual window whose backward all-reduces through DDP (torch's, apex's, or the model
    accelerate prepares) on every micro-batch, with no sync switch anywhere in the file."""
    if not windows(facts) or _switches_sync(facts):
        return []
    out = []
    for w in windows(facts):
        call = next(
            (
                c
                for c in w.calls()
                if ((b := facts.backward_of(c)) is not None and b[1] in ("plain", "accelerate"))
                or _backward_helper(facts, c)
            ),
            None,
        )
        if call is None:
            continue
        found = _ddp_model(facts, w)
        if found is None:
            continue
        ddp, flavor, line, site = found
        built = f"line {line}" if isinstance(line, int) else line
        where = where_it_steps(w)
        if flavor == "apex":
            message = (
                f"`{ddp}` (apex DistributedDataParallel, {built}) all-reduces gradients on "
                f"every backward, but the optimizer steps {where}: {w.k} times the communication; "
                f"apex's DDP has no no_sync(): call `{ddp}.disable_allreduce()` before all but the "
                f"window's last micro-batch and `{ddp}.enable_allreduce()` before the last (or "
                "use torch's DistributedDataParallel and its no_sync())"
            )
        elif flavor == "accelerate":
            message = (
                f"`{ddp}` (prepared by accelerate: DistributedDataParallel on several processes) "
                f"all-reduces gradients on every backward, but the optimizer steps {where}: "
                f"{w.k} times the communication; run all but the window's last micro-batch under "
                f"`with accelerator.no_sync({ddp}):` (or let `accelerator.accumulate({ddp})` do it)"
            )
        else:
            message = (
                f"`{ddp}` (DistributedDataParallel, {built}) all-reduces gradients on every "
                f"backward, but the optimizer steps {where}: {w.k} times the communication; run "
                f"all but the window's last micro-batch under `with {ddp}.no_sync():`"
            )
        conditions = [
            *window_condition(facts, w),
            Condition(WORLD, (), facts, ">1", neutral=True),
            *_wrap_conditions(site),
        ]
        out.append(violation(facts, call, "SG208", message, (), conditions, w.outer or w.loop))
    return out
