"""Window rules for code organised the way training frameworks organise it: the pieces of one
optimizer step spread over an ``accumulate()`` block, the methods of a trainer class, and the
objects accelerate prepares.

- SG210, accelerate: the prepared optimizer's ``zero_grad()`` at the top of a ``with
  accelerator.accumulate(model):`` block, before the backward. accelerate skips a prepared
  optimizer's ``zero_grad`` on the micro-batches that do not sync, but ``accumulate()`` sets
  ``sync_gradients`` when the block is entered: on the window's last micro-batch the call really
  zeroes, before that micro-batch's backward, and the k - 1 micro-batches accumulated so far are
  lost.
- SG211, accelerate: ``Accelerator(mixed_precision=...)`` in fp16 skips the prepared optimizer's
  step when the gradients overflow; a scheduler accelerate prepared skips with it, one it did not
  prepare (built here, left out of ``accelerator.prepare``) advances anyway.
- SG208, trainer classes: a window in a method of a class whose modules the class, or a base
  class in another file of the tree, wraps in DDP one by one (``self.modules[name] =
  DDP(module)``, SpeechBrain's ``Brain``), with no sync switch in any of those files.
- SG208, accelerate: ``accelerator.accumulate(model)`` given a wrapper built around the
  prepared model (``model = Denoiser(inner_model)`` after ``inner_model = accelerator.prepare(
  ...)``): accumulate() skips the all-reduce through the object's ``no_sync()``, which the wrapper
  does not have, so the DDP model inside it all-reduces on every micro-batch.
- SG211, hooks: ``scheduler.step()`` in a hook method (``after_step``, ``on_batch_end``, ...) of a
  class, when a trainer loop of the tree calls that hook on every iteration right after a step
  that goes through a GradScaler (detectron2's ``LRScheduler`` hook after ``AMPTrainer.run_step``):
  the hook cannot see that the scaler skipped the step.
- SG203, helpers: a same-file helper that clips (``self.clip_gradients()``), or Lightning's
  ``self.clip_gradients(opt, ...)`` under manual optimization, called on every micro-batch of a
  window.
- SG202, SG210, helpers: a same-file helper that steps a scheduler (``self.update_lr()``) or
  zeroes the gradients, and never the optimizer, called on every micro-batch of a window.
- SG204, helpers: a clip after ``scaler.scale(loss).backward()`` with no ``unscale_`` between,
  when either runs inside a same-file helper (``self.check_gradients(loss)`` that clips, a
  ``self.backward(loss)`` that scales, a ``self.optimizer_step()`` that clips before
  ``scaler.step``), followed in the order the calls run.

Each check returns findings that `stepguard.lint._rules` adds to those of the rule's base check
(`_rules_loop`, `_rules_sync`) with `adding`. The windows these checks read include the
framework-style ones `stepguard.lint._call_windows` finds (callbacks, predicate guards).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import cast

from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._flow import exclusive
from stepguard.lint._rules_schedule import sized_in_micro_batches
from stepguard.lint._rules_sync import (
    WORLD,
    _after,
    _backward_helper,
    _ddp_model,
    _guards_skip,
    _switches_sync,
    amp_conditions,
)
from stepguard.lint._scan import (
    Facts,
    build_kind,
    call_name,
    dotted,
    kwarg,
    receiver,
    short,
    walk,
)
from stepguard.lint._values import binding
from stepguard.lint._window_rules import (
    accelerate_fp16,
    accelerate_steps,
    accelerator_build,
    accumulates,
    lightning_trainers,
    manual_optimization,
    statement_of,
    where_it_steps,
    window_condition,
    windows,
)
from stepguard.lint._windows import Window, accumulate_blocks

__all__ = [
    "accelerate_skipped_steps",
    "accumulate_wrapper",
    "accumulate_zero_first",
    "adding",
    "class_ddp_windows",
    "helper_clips",
    "hook_schedulers",
    "lightning_manual_ddp",
    "window_helper_clips",
    "window_helper_schedulers",
    "window_helper_zero",
]

Check = Callable[[Facts], list[Violation]]


def adding(*checks: Check) -> Check:
    """One rule's check made of several: their findings, in order."""

    def check(facts: Facts) -> list[Violation]:
        return [v for c in checks for v in c(facts)]

    check.__doc__ = checks[0].__doc__
    return check


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def accumulate_zero_first(facts: Facts) -> list[Violation]:
    """SG210: an optimizer's ``zero_grad()`` before the backward inside an ``accumulate()`` block
    (the module docstring). An optimizer accelerate never prepared is `_rules_loop`'s finding
    (it zeroes on every micro-batch); this one is about the prepared one."""
    out: list[Violation] = []
    for block in accumulate_blocks(facts):
        can_accumulate, cond = accumulates(facts, block)
        if not can_accumulate:
            continue
        if accelerate_steps(facts, block) is None:
            cond = _unseen_accumulation(facts, block)
        calls = [
            n
            for s in block.body
            for n in walk(s)
            if isinstance(n, ast.Call) and _directly_in(facts, n, block)
        ]
        backwards = [c for c in calls if facts.backward_of(c) is not None]
        if not backwards:
            continue
        first = min(backwards, key=_pos)
        head = short(block.items[0].context_expr, 50)
        for call in calls:
            rec = call.func.value if isinstance(call.func, ast.Attribute) else None
            if rec is None or not facts.is_zero_grad(call) or _pos(call) >= _pos(first):
                continue
            d = short(rec, 40)
            if not facts.is_optimizer(rec) or (d in facts.optimizers and d not in facts.prepared):
                continue  # a module, or an optimizer accelerate never prepared: `_rules_loop`
            if _skips_the_batch(facts, call, block):
                continue
            message = (
                f"`{short(call)}` runs at the top of `with {head}:`, before the backward (line "
                f"{first.lineno}): accumulate() has already set sync_gradients on the window's "
                "last micro-batch, so the prepared optimizer really zeroes there and wipes the "
                "gradients of the window's other micro-batches (harmless only under DeepSpeed, "
                "whose engine zeroes the gradients itself); call it right after "
                "`optimizer.step()`"
            )
            out.append(violation(facts, call, "SG210", message, (), cond))
    return out


def _skips_the_batch(facts: Facts, call: ast.Call, block: ast.AST) -> bool:
    """`call` is in a branch that leaves the micro-batch (``if torch.isnan(loss).any():
    optimizer.zero_grad(); continue``): no backward follows it, and the step it skips is the
    window's; dropping the window's gradients there is what the branch is for."""
    child: ast.AST = call
    node = facts.parents.get(call)
    while node is not None and node is not block:
        if isinstance(node, ast.If):
            branch = node.body if child in node.body else node.orelse
            if branch and isinstance(branch[-1], (ast.Continue, ast.Break, ast.Return, ast.Raise)):
                return True
        child, node = node, facts.parents.get(node)
    return False


def _unseen_accumulation(facts: Facts, block: ast.AST) -> list[Condition]:
    """The condition of a finding that needs the Accelerator to accumulate when its construction
    is not in view (an ``accelerator`` passed in): ``gradient_accumulation_steps > 1``, which the
    settings of the tree may still resolve, else left unresolved (latent)."""
    name = ast.Name(id="gradient_accumulation_steps", ctx=ast.Load())
    ast.copy_location(name, block)
    return [Condition("gradient_accumulation_steps", (name,), facts, ">1")]


_NOT_ONCE = (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _directly_in(facts: Facts, node: ast.AST, block: ast.AST) -> bool:
    """`node` runs at most once per pass through `block`: not in a loop or a function inside it."""
    p = facts.parents.get(node)
    while p is not None and p is not block:
        if isinstance(p, _NOT_ONCE):
            return False
        p = facts.parents.get(p)
    return p is block


# -- SG204 through a helper ----------------------------------------------------------------------


def _scaled_backward(facts: Facts, call: ast.Call) -> ast.expr | None:
    """The scaler of ``scaler.scale(loss).backward()``, else None."""
    rec = receiver(call)
    if call_name(call) != "backward" or not isinstance(rec, ast.Call):
        return None
    scaler = receiver(rec)
    if call_name(rec) == "scale" and scaler is not None and facts.is_scaler(scaler):
        return scaler
    return None


# An event of a function, in the order it runs: ("scaled" | "unscale" | "clip", the call that
# does it (maybe inside a helper), the call of this function that leads to it).
Event = tuple[str, ast.Call, ast.Call]


def _local_helper(facts: Facts, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The same-file function a call ``f(...)`` / ``self.f(...)`` runs (one definition only)."""
    f = call.func
    local = isinstance(f, ast.Name) or (
        isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self"
    )
    defs = facts.functions.get(call_name(call), []) if local else []
    if len(defs) != 1:
        return None
    return defs[0]


def _events(facts: Facts, func: ast.AST, depth: int = 0) -> list[Event]:
    """What `func` does to the gradients' scale, in source order: scaled backwards, unscales
    (``unscale_``, ``scaler.step``) and torch clips, also inside same-file helpers it calls (two
    levels), each attributed to the call of `func` that leads to it."""
    cache = facts.cache.setdefault("scale_events", {})
    assert isinstance(cache, dict)
    key = (id(func), depth)
    if key in cache:
        return cast(list[Event], cache[key])
    cache[key] = []  # recursion guard
    out: list[Event] = []
    calls = sorted(
        (n for n in walk(func) if isinstance(n, ast.Call) and facts.function_of(n) is func),
        key=_pos,
    )
    for call in calls:
        helper = _local_helper(facts, call)
        if _scaled_backward(facts, call) is not None:
            out.append(("scaled", call, call))
        elif call_name(call) == "unscale_":
            out.append(("unscale", call, call))
        elif facts.is_clip(call):
            out.append(("clip", call, call))
        elif helper is not None and helper is not func and depth < 2:
            # What the helper does, in its order (`clip; scaler.step(opt)` clips first).
            out += [(kind, node, call) for kind, node, _ in _events(facts, helper, depth + 1)]
        elif facts.is_scaler_step(call) or call_name(call) in facts.unscale_functions:
            out.append(("unscale", call, call))
    cache[key] = out
    return out


def helper_clips(facts: Facts) -> list[Violation]:
    """SG204: torch clipping after ``scaler.scale(loss).backward()`` with no ``unscale_`` in
    between, when one of them runs inside a same-file helper: ``self.check_gradients(loss)``
    that clips, called after the scaled backward; a ``self.backward(loss)`` that scales, followed
    by a ``self.optimizer_step()`` that clips before ``scaler.step`` (the module docstring).
    Both in one function is `_rules_sync`'s finding."""
    out: list[Violation] = []
    if not any(facts.is_clip(c) for c in facts.calls) or not any(
        _scaled_backward(facts, c) is not None for c in facts.calls
    ):
        return out
    reported: set[int] = set()
    funcs = [f for defs in facts.functions.values() for f in defs]
    for func in funcs:
        events = _events(facts, func)
        if not any(kind == "clip" for kind, _, _ in events):
            continue
        scaled: tuple[ast.Call, ast.Call] | None = None
        for kind, node, site in events:
            if scaled is not None and exclusive(facts, scaled[1], site):
                continue
            if kind == "scaled":
                scaled = (node, site)
            elif kind == "unscale":
                scaled = None
            elif scaled is not None and id(node) not in reported:
                backward, backward_site = scaled
                if backward is backward_site and node is site:
                    continue  # both in this function: the base rule's finding
                reported.add(id(node))
                out.append(_helper_clip(facts, func, node, site, backward, backward_site))
    return out


def _helper_clip(
    facts: Facts,
    func: ast.AST,
    clip: ast.Call,
    site: ast.Call,
    backward: ast.Call,
    backward_site: ast.Call,
) -> Violation:
    scaler = _scaled_backward(facts, backward)
    assert scaler is not None
    name = short(scaler, 30)
    where = getattr(func, "name", "the module")

    def via(node: ast.Call, at: ast.Call) -> str:
        if node is at:
            return f"`{short(node, 40)}` (line {node.lineno})"
        return f"`{short(at.func, 40)}` (line {at.lineno}, which runs `{short(node, 40)}`)"

    message = (
        f"`{call_name(clip)}` clips gradients still multiplied by the GradScaler's scale: "
        f"`{where}` runs {via(clip, site)} after {via(backward, backward_site)} with no "
        f"`{name}.unscale_(optimizer)` in between; the threshold is compared with scale x the "
        f"real norm; call `{name}.unscale_(optimizer)` before clipping"
    )
    conditions = amp_conditions(facts, scaler, backward)
    return violation(facts, clip, "SG204", message, (), conditions)


# -- SG203 through a helper ----------------------------------------------------------------------


def _every_call(
    facts: Facts, helper: ast.AST, wanted: Callable[[ast.Call], bool]
) -> ast.Call | None:
    """The first call of `helper` that `wanted` accepts and that runs on every call of the helper:
    not under a test that could decide per call (a call, a modulo, ``sync``/``step`` in it)."""
    for c in walk(helper):
        if not isinstance(c, ast.Call) or facts.function_of(c) is not helper or not wanted(c):
            continue
        if any(_per_call_test(t) for _, t, _ in facts.branches(c)):
            continue
        return c
    return None


def _per_call_test(test: ast.expr) -> bool:
    text = ast.unparse(test).lower()
    if "sync" in text or "step" in text or "accum" in text:
        return True
    return any(
        isinstance(n, (ast.Call, ast.Subscript))
        or (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod))
        for n in walk(test)
    )


def _lightning_clip(facts: Facts, call: ast.Call) -> bool:
    """``self.clip_gradients(opt, ...)`` in a LightningModule (manual optimization) that does not
    define it."""
    f = call.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr == "clip_gradients"
        and dotted(f.value) == "self"
        and "clip_gradients" not in facts.functions
        and ("lightning" in facts.source or manual_optimization(facts, call))
    )


def _step_free_helper(
    facts: Facts, call: ast.Call
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The same-file helper `call` runs, when it never steps an optimizer."""
    helper = _local_helper(facts, call)
    if helper is None or helper.name in facts.step_functions:
        return None
    if helper.name in facts.flag_step_functions:
        return None
    return helper


def window_helper_clips(facts: Facts) -> list[Violation]:
    """SG203: a call, on every micro-batch of a window, of a same-file helper that clips and does
    not step (the module docstring); a clip written in the window itself is `_rules_loop`'s."""
    out: list[Violation] = []
    for w in windows(facts):
        for call in w.calls():
            if facts.is_clip(call) or facts.is_accelerate_clip(call):
                continue
            helper = _step_free_helper(facts, call)
            if helper is None:
                if not _lightning_clip(facts, call):
                    continue
                what = "LightningModule.clip_gradients"
            else:
                clip = _every_call(
                    facts, helper, lambda c: facts.is_clip(c) or facts.is_accelerate_clip(c)
                )
                if clip is None:
                    continue
                what = f"`{call_name(clip)}` in `{helper.name}`, line {clip.lineno}"
            message = (
                f"`{short(call, 40)}` runs on every micro-batch and clips ({what}): it clips "
                f"the partial gradient, but the optimizer steps {where_it_steps(w)}; call it "
                "once, on the accumulated gradient, right before the optimizer step"
            )
            out.append(violation(facts, call, "SG203", message, (), window_condition(facts, w)))
    return out


def window_helper_zero(facts: Facts) -> list[Violation]:
    """SG210: a call, on every micro-batch of a window, of a same-file helper that zeroes the
    gradients (``self.reset_grads()``) and does not step."""
    out: list[Violation] = []
    for w in windows(facts):
        for call in w.calls():
            helper = None if facts.is_zero_grad(call) else _step_free_helper(facts, call)
            if helper is None:
                continue

            def wipes(c: ast.Call, w: Window = w) -> bool:
                rec = receiver(c)
                if rec is None or not facts.is_zero_grad(c):
                    return False
                d = dotted(rec)
                return not (facts.is_optimizer(rec) and w.stepped and d not in w.stepped)

            zero = _every_call(facts, helper, wipes)
            if zero is None:
                continue
            message = (
                f"`{short(call, 40)}` runs on every micro-batch and zeroes the gradients "
                f"(`{short(zero, 40)}` in `{helper.name}`, line {zero.lineno}), but the optimizer "
                f"steps {where_it_steps(w)}: each step sees only the last micro-batch; zero once, "
                "right after the optimizer step"
            )
            out.append(violation(facts, call, "SG210", message, (), window_condition(facts, w)))
    return out


def window_helper_schedulers(facts: Facts) -> list[Violation]:
    """SG202: a call, on every micro-batch of a window, of a same-file helper that steps a
    scheduler (``self.update_lr()``) and no optimizer, for a schedule not counted in
    micro-batches."""
    out: list[Violation] = []
    for w in windows(facts):
        for call in w.calls():
            helper = None if facts.is_scheduler_step(call) else _step_free_helper(facts, call)
            if helper is None:
                continue

            def advances(c: ast.Call, w: Window = w) -> bool:
                return facts.is_scheduler_step(c) and not sized_in_micro_batches(facts, w, c)

            sched = _every_call(facts, helper, advances)
            if sched is None:
                continue
            message = (
                f"`{short(call, 40)}` runs on every micro-batch and steps the schedule "
                f"(`{short(sched, 40)}` in `{helper.name}`, line {sched.lineno}), but the "
                f"optimizer steps {where_it_steps(w)}: the schedule advances {w.k} times too "
                "fast; call it right after the optimizer step"
            )
            out.append(violation(facts, call, "SG202", message, (), window_condition(facts, w)))
    return out


# -- SG211 under accelerate's fp16 ---------------------------------------------------------------


def accelerate_skipped_steps(facts: Facts) -> list[Violation]:
    """SG211: ``scheduler.step()`` after the prepared optimizer's ``step()`` under an Accelerator
    whose ``mixed_precision`` may be fp16, for a scheduler built in this file and not prepared
    (the module docstring); not behind a check that the step was skipped."""
    fp16 = accelerate_fp16(facts, accelerator_build(facts))
    if fp16 is None:
        return []
    out: list[Violation] = []
    for call in facts.calls:
        rec = receiver(call)
        if call_name(call) != "step" or rec is None or call.args or call.keywords:
            continue
        if dotted(rec) not in facts.prepared or not facts.is_optimizer(rec):
            continue
        stmt = statement_of(facts, call)
        if not isinstance(stmt, ast.Expr) or any(
            _guards_skip(test, facts) for _, test, _ in facts.branches(call)
        ):
            continue
        for sched in _after(facts, stmt):
            d = dotted(receiver(sched))  # type: ignore[arg-type]
            if d is None or d in facts.prepared or d not in facts.schedulers:
                continue
            message = (
                f"`{short(sched)}` runs even when `{short(call)}` (line {call.lineno}) skipped "
                "the step: in fp16 accelerate's GradScaler skips the prepared optimizer's step "
                f"on inf/NaN gradients, and `{d}` was not passed to accelerator.prepare(), so it "
                "advances anyway and the schedule runs ahead of the optimizer; prepare it (a "
                "prepared scheduler skips with the optimizer) or step it under `if not "
                "accelerator.optimizer_step_was_skipped:`"
            )
            out.append(violation(facts, sched, "SG211", message, (), [fp16]))
    return out


# -- SG208 for modules a trainer class wraps -----------------------------------------------------


def _hierarchy(facts: Facts, cls: ast.ClassDef) -> list[tuple[Facts, ast.ClassDef]]:
    """`cls` and its base classes defined in the tree (a few levels)."""
    out = [(facts, cls)]
    todo = [(facts, cls)]
    while todo and len(out) < 8:
        owner, c = todo.pop()
        if owner.project is not None:
            found = owner.project.bases(owner, c)
        else:
            found = [
                (owner, b)
                for base in c.bases
                if isinstance(base, ast.Name)
                for b in owner.classes.get(base.id, [])
                if b is not c
            ]
        for pair in found:
            if all(pair[1] is not x for _, x in out):
                out.append(pair)
                todo.append(pair)
    return out


def _wrapped_attribute(owner: Facts, cls: ast.ClassDef) -> tuple[str, ast.Call] | None:
    """``self.X`` (or ``self.X[key]``) assigned a DDP wrapper in a method of `cls`: (X's dotted
    name, the DDP construction)."""
    for node in walk(cls):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        if build_kind(owner, node.value) != "ddp":
            continue
        for t in node.targets:
            base = t.value if isinstance(t, ast.Subscript) else t
            d = dotted(base)
            if d is not None and d.startswith("self.") and d.count(".") == 1:
                return d, node.value
    return None


def _reads(func: ast.AST, name: str, classes: list[tuple[Facts, ast.ClassDef]]) -> bool:
    """`func`, or a method of its class hierarchy (`classes`, the class first) it calls as
    ``self.m(...)``, reads ``self.X`` (`name`)."""
    methods: dict[str, ast.AST] = {}
    for _, c in classes:
        for m in c.body:
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.setdefault(m.name, m)
    seen: list[ast.AST] = []
    todo = [func]
    while todo:
        f = todo.pop()
        if any(f is x for x in seen) or len(seen) > 6:
            continue
        seen.append(f)
        for n in walk(f):
            if isinstance(n, ast.Attribute) and dotted(n) == name:
                return True
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and dotted(n.func.value) == "self"
                and n.func.attr in methods
            ):
                todo.append(methods[n.func.attr])
    return False


# -- SG208: Lightning manual optimization under a DDP strategy ------------------------------------

_LIGHTNING_SWITCHES = ("block_backward_sync", "sync_grad", "no_backward_sync")


def lightning_manual_ddp(facts: Facts) -> list[Violation]:
    """SG208: a window of ``self.manual_backward(loss)`` in a LightningModule under manual
    optimization, trained by a Lightning ``Trainer`` of the tree whose strategy is DDP (given, or
    chosen by Lightning for several devices). Lightning skips the all-reduce of accumulating
    micro-batches only under automatic optimization; under manual optimization every
    ``manual_backward`` syncs unless the module blocks it (``optimizer.toggle_model(sync_grad=
    False)``, ``self.trainer.strategy.block_backward_sync()``). No Trainer in the linted files:
    whether the module runs under DDP is not visible, and nothing is reported."""
    if "manual_backward" not in facts.source or not windows(facts) or _switches_sync(facts):
        return []
    if any(word in facts.source for word in _LIGHTNING_SWITCHES):
        return []
    out: list[Violation] = []
    for w in windows(facts):
        call = next(
            (
                c
                for c in w.calls()
                if call_name(c) == "manual_backward"
                and isinstance(c.func, ast.Attribute)
                and dotted(c.func.value) == "self"
            ),
            None,
        )
        if call is None or not manual_optimization(facts, call) or _ddp_model(facts, w):
            continue
        trainers = lightning_trainers(facts)
        found = _lightning_ddp(trainers)
        if found is None:
            continue
        where, conditions = found
        message = (
            f"`{short(call, 40)}` all-reduces gradients on every micro-batch under Lightning's "
            f"DDP strategy ({where}): Lightning skips the sync of accumulating micro-batches only "
            f"under automatic optimization, and the optimizer steps {where_it_steps(w)}: {w.k} "
            "times the communication; run the backward of all but the window's last micro-batch "
            "under `with optimizer.toggle_model(sync_grad=False):` (or `with "
            "self.trainer.strategy.block_backward_sync():`)"
        )
        conditions = [*window_condition(facts, w), *conditions]
        out.append(violation(facts, call, "SG208", message, (), conditions, w.outer or w.loop))
    return out


def _lightning_ddp(trainers: list[tuple[Facts, ast.Call]]) -> tuple[str, list[Condition]] | None:
    """Where a Trainer of the tree runs DDP and the settings that make it (its ``strategy=`` when
    not a literal, its ``devices=`` / ``gpus=`` when not a literal count), for the first Trainer
    that can; None when none can (no Trainer, one device, a DataParallel, DeepSpeed or FSDP
    strategy)."""
    for owner, build in trainers:
        conditions: list[Condition] = []
        strategy = kwarg(build, "strategy")
        if strategy is None:
            legacy = kwarg(build, "accelerator")
            if isinstance(legacy, ast.Constant) and "ddp" in str(legacy.value).lower():
                strategy = legacy  # Lightning < 1.5: `accelerator="ddp"`
        if isinstance(strategy, ast.Constant):
            if not isinstance(strategy.value, str) or "ddp" not in strategy.value.lower():
                continue  # "dp", "deepspeed", "fsdp", "single_device": no DDP all-reduce here
        elif isinstance(strategy, ast.Call):
            if "DDP" not in call_name(strategy):
                continue
        elif strategy is not None:
            conditions.append(Condition("strategy", (strategy,), owner, "ddp"))
        elif any(k.arg is None for k in build.keywords):
            # `Trainer(**cfg)`: the strategy may be in there; say so rather than guess.
            conditions.append(Condition("strategy", (build,), owner, "ddp"))
        devices = kwarg(build, "devices") or kwarg(build, "gpus")
        count = _device_count(devices)
        if count is not None and count <= 1 and kwarg(build, "num_nodes") is None:
            continue
        if count is None:
            if devices is None or isinstance(devices, ast.Constant):
                conditions.append(Condition(WORLD, (), owner, ">1"))  # "auto", -1: all visible
            else:
                conditions.append(Condition("devices", (devices,), owner, ">1"))
        return f"`Trainer` at {owner.path}:{build.lineno}", conditions
    return None


def _device_count(node: ast.expr | None) -> int | None:
    """The number of devices a literal ``devices=`` asks for (``4``, ``"0,1"``, ``[0, 1]``), or
    None when it is not a literal count (``"auto"``, ``-1``, an expression)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return len(node.elts)
    if not isinstance(node, ast.Constant):
        return None
    value = node.value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().rstrip(",")
        if "," in text:
            return len([p for p in text.split(",") if p.strip()])
        return int(text) if text.isdigit() else None
    return None


def class_ddp_windows(facts: Facts) -> list[Violation]:
    """SG208: a window in a method of a class whose modules its class hierarchy wraps in DDP
    (the module docstring), when the base rule found no DDP model of its own."""
    out: list[Violation] = []
    found_windows = windows(facts)
    if not found_windows or _switches_sync(facts):
        return out
    for w in found_windows:
        cls = facts.class_of(w.loop)
        if cls is None or _ddp_model(facts, w) is not None:
            continue
        scope = w.scope(facts)
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
        classes = _hierarchy(facts, cls)
        if any(_switches_sync(owner) for owner, _ in classes):
            continue
        for owner, c in classes:
            wrapped = _wrapped_attribute(owner, c)
            if wrapped is None or not _reads(scope, wrapped[0], classes):
                continue
            name, build = wrapped
            at = f"line {build.lineno}" if owner is facts else f"{owner.path}:{build.lineno}"
            message = (
                f"`{name}` is wrapped in DistributedDataParallel by `{c.name}` ({at}), so every "
                f"backward all-reduces its gradients, but the optimizer steps {where_it_steps(w)}: "
                f"{w.k} times the communication; run all but the window's last micro-batch under "
                "the wrapped modules' `no_sync()`"
            )
            conditions = [
                *window_condition(facts, w),
                Condition(WORLD, (), facts, ">1", neutral=True),
            ]
            out.append(violation(facts, call, "SG208", message, (), conditions, w.outer or w.loop))
            break
    return out


# -- SG208: accumulate() given a wrapper of the prepared model -----------------------------------

_NOT_WRAPPERS = ("compile", "unwrap_model", "deepcopy", "copy")


def _prepared_model(facts: Facts, node: ast.expr) -> str | None:
    d = dotted(node)
    if d is None or d not in facts.prepared:
        return None
    low = d.lower()
    if facts.is_optimizer(node) or facts.is_scheduler(node) or "loader" in low or "data" in low:
        return None
    if low.endswith(("dl", "_ds", "dataset")):
        return None
    return d


def _wrapper_of(facts: Facts, arg: ast.expr, at: ast.AST) -> tuple[str, ast.Call] | None:
    """(the prepared model, the call) when `arg` names an object built, after the prepare, by a
    call that takes the prepared model (``Denoiser(inner_model)``, ``make(cfg)(inner_model)``)."""
    if not isinstance(arg, ast.Name) or arg.id in facts.prepared:
        return None
    value = binding(facts, arg.id, at)
    if not isinstance(value, ast.Call) or call_name(value) in _NOT_WRAPPERS:
        return None
    rec = receiver(value)
    if call_name(value).startswith("prepare") or (rec is not None and facts.is_accelerator(rec)):
        return None
    for a in value.args:
        inner = _prepared_model(facts, a)
        if inner is not None and _prepared_before(facts, inner, value):
            return inner, value
    return None


def _prepared_before(facts: Facts, name: str, at: ast.AST) -> bool:
    """`name` is bound by an ``accelerator.prepare(...)`` above `at` (a wrapper built before the
    prepare holds the unwrapped module, not the DDP one)."""
    for c in facts.calls:
        if _pos(c) >= _pos(at) or not call_name(c).startswith("prepare"):
            continue
        parent = facts.parents.get(c)
        if isinstance(parent, ast.Assign) and any(
            dotted(n) == name for t in parent.targets for n in walk(t)
        ):
            return True
    return False


def accumulate_wrapper(facts: Facts) -> list[Violation]:
    """SG208: ``with accelerator.accumulate(wrapper):`` where `wrapper` is built around the
    prepared model (the module docstring), with a backward in the block."""
    out: list[Violation] = []
    blocks = accumulate_blocks(facts)
    if not blocks or _switches_sync(facts):
        return out
    for block in blocks:
        can_accumulate, cond = accumulates(facts, block)
        if not can_accumulate:
            continue
        if accelerate_steps(facts, block) is None:
            cond = _unseen_accumulation(facts, block)
        head = block.items[0].context_expr
        assert isinstance(head, ast.Call)
        for arg in head.args:
            found = _wrapper_of(facts, arg, block)
            if found is None:
                continue
            inner, build = found
            backward = next(
                (
                    c
                    for s in block.body
                    for c in walk(s)
                    if isinstance(c, ast.Call) and facts.backward_of(c) is not None
                ),
                None,
            )
            if backward is None:
                continue
            message = (
                f"`{short(head, 50)}` is given `{short(arg)}`, built around the prepared "
                f"`{inner}` (`{short(build, 50)}`, line {build.lineno}): accumulate() skips "
                "the all-reduce through the object's no_sync(), which the wrapper does not have, "
                f"so `{inner}` (DistributedDataParallel on several processes) all-reduces on every "
                f"micro-batch; pass the prepared model: `accelerator.accumulate({inner})`"
            )
            conditions = [*cond, Condition(WORLD, (), facts, ">1", neutral=True)]
            out.append(violation(facts, backward, "SG208", message, (), conditions, block))
            break
    return out


# -- SG211: a scheduler stepped by a hook after a trainer's GradScaler step ----------------------

_HOOK_PREFIXES = ("after_", "on_")


def _unguarded_scheduler_steps(facts: Facts, func: ast.AST) -> list[ast.Call]:
    """``scheduler.step()`` calls of `func` (also in its loops) not behind a test that looks at
    whether the optimizer stepped."""
    return [
        c
        for c in walk(func)
        if isinstance(c, ast.Call)
        and facts.function_of(c) is func
        and facts.is_scheduler_step(c)
        and not any(_guards_skip(test, facts) for _, test, _ in facts.branches(c))
    ]


def _hook_call(site: Facts, call: ast.Call, name: str) -> bool:
    """``h.<name>()`` with ``h`` the variable of the loop around it (``for h in self._hooks:``),
    or ``x.call_hook("<name>")``."""
    if call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value == name:
        return "hook" in call_name(call)
    rec = receiver(call)
    if call_name(call) != name or not isinstance(rec, ast.Name):
        return False
    loop = site.enclosing(call, (ast.For, ast.AsyncFor))
    return isinstance(loop, (ast.For, ast.AsyncFor)) and dotted(loop.target) == rec.id


def _scaler_step_before(site: Facts, call: ast.Call) -> ast.Call | None:
    """A call that steps through a GradScaler (``scaler.step(opt)``, ``self.run_step()`` whose
    override does) earlier in the loop body that runs the hook call."""
    stmt: ast.AST | None = statement_of(site, call)
    while stmt is not None:
        parent = site.parents.get(stmt)
        if parent is None or isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        body = getattr(parent, "body", None)
        if (
            isinstance(parent, (ast.For, ast.AsyncFor, ast.While))
            and isinstance(body, list)
            and any(s is stmt for s in body)
        ):
            idx = next(i for i, s in enumerate(body) if s is stmt)
            for s in body[:idx]:
                for c in walk(s):
                    if isinstance(c, ast.Call) and _steps_a_scaler(site, c):
                        return c
        stmt = parent
    return None


def _steps_a_scaler(site: Facts, call: ast.Call) -> bool:
    """``scaler.step(opt)``, a same-file helper that does it, or a method of an object whose
    class in this file does (``self.optim_wrapper.update_params(loss)``)."""
    if site.is_scaler_step(call):
        return True
    return isinstance(call.func, ast.Attribute) and call_name(call) in site.scaler_step_functions


def _hook_sites(facts: Facts, name: str) -> list[tuple[Facts, ast.Call, ast.Call]]:
    """(file, hook call, GradScaler step before it) for every trainer loop of the tree that calls
    hook `name` after a GradScaler step; cached per tree."""
    project = facts.project
    cache = project.cache if project is not None else facts.cache
    key = f"hook_sites:{name}"
    found = cache.get(key)
    if found is not None:
        return cast(list[tuple[Facts, ast.Call, ast.Call]], found)
    out: list[tuple[Facts, ast.Call, ast.Call]] = []
    sites: list[Facts] = [facts]
    if project is not None:
        for path in project.files:
            if path == facts.path:
                continue
            text = project.text(path)
            if text is None or name not in text or "scale" not in text:
                continue
            other = project.definitions(path)
            if other is not None:
                sites.append(other)
    for site in sites:
        for call in site.calls:
            if _hook_call(site, call, name):
                step = _scaler_step_before(site, call)
                if step is not None:
                    out.append((site, call, step))
    cache[key] = out
    return out


def _scaler_classes(site: Facts, step: ast.Call) -> list[tuple[str, str]]:
    """(class, method) of the definitions a call of a method steps a scaler in
    (``[("AMPTrainer", "run_step")]``); a plain function has class ""."""
    if call_name(step) == "step":
        return []
    out = []
    for func in site.functions.get(call_name(step), []):
        if any(isinstance(c, ast.Call) and site.is_scaler_step(c) for c in walk(func)):
            cls = site.class_of(func)
            out.append((cls.name if cls is not None else "", func.name))
    return out


def _choice_conditions(facts: Facts, classes: list[str]) -> list[Condition]:
    """Where the tree chooses one of `classes` by a setting: ``(AMPTrainer if cfg.AMP.ENABLED
    else SimpleTrainer)(...)`` or ``if cfg.amp: trainer = AMPTrainer(...)``; the setting must be
    true (or false) for the finding to bite. None when the class is built unconditionally or the
    construction is not visible."""
    wanted = {c for c in classes if c}
    project = facts.project
    if not wanted:
        return []
    sites: list[Facts] = [facts]
    if project is not None:
        for path in project.files:
            text = project.text(path)
            if path != facts.path and text is not None and any(c in text for c in wanted):
                other = project.definitions(path)
                if other is not None:
                    sites.append(other)
    for site in sites:
        for node in site.parents:
            if isinstance(node, ast.IfExp):
                for branch, truth in ((node.body, "true"), (node.orelse, "false")):
                    if isinstance(branch, ast.Name) and branch.id in wanted:
                        return [Condition(short(node.test, 50), (node.test,), site, truth)]
            elif isinstance(node, ast.Call) and call_name(node) in wanted:
                found = [
                    Condition(short(t, 50), (t,), site, "true" if truth else "false")
                    for _, t, truth in site.branches(node)
                ]
                if found:
                    return found
    return []


def hook_schedulers(facts: Facts) -> list[Violation]:
    """SG211: a scheduler stepped in a hook method that a trainer loop calls right after a
    GradScaler step (the module docstring)."""
    out: list[Violation] = []
    for name, defs in facts.functions.items():
        if not name.startswith(_HOOK_PREFIXES):
            continue
        for func in defs:
            if facts.class_of(func) is None:
                continue
            if any(isinstance(c, ast.Call) and facts.is_scaler_step(c) for c in walk(func)):
                continue  # the scaler steps in the hook itself: the base rule's finding
            scheds = _unguarded_scheduler_steps(facts, func)
            if not scheds:
                continue
            sites = _hook_sites(facts, name)
            if not sites:
                continue
            site, call, step = sites[0]
            where = f"line {call.lineno}" if site is facts else f"{site.path}:{call.lineno}"
            owners = _scaler_classes(site, step)
            names = [f"`{c}.{m}`" if c else f"`{m}`" for c, m in owners]
            via = f" (in {', '.join(names)})" if names else ""
            chosen = _choice_conditions(site, [c for c, _ in owners])
            for sched in scheds:
                message = (
                    f"`{short(sched)}` in hook `{name}` runs after every iteration: "
                    f"`{short(call, 40)}` ({where}) calls it after `{short(step, 40)}` (line "
                    f"{step.lineno}), which steps through a GradScaler{via} and skips the "
                    "optimizer step on inf/NaN gradients; the schedule runs ahead of the "
                    "optimizer; step it only when the scale did not drop"
                )
                conditions = [*amp_conditions(site, None, step), *chosen]
                out.append(violation(facts, sched, "SG211", message, (), conditions))
    return out
