"""SG211 in the shapes trainer libraries write: the GradScaler hidden behind another object.

The base rule (`stepguard.lint._rules_sync.check_sg211`) sees ``scaler.step(optimizer)`` and
helpers of the same file that call it. Trainer code often hides the scaler one level further:

- a wrapper object steps the optimizer and owns the scaler: ``accel.step(optimizer)`` next to
  ``accel.scaler.unscale_(optimizer)`` (audiotools' ``Accelerator``), or an object built from a
  class of the tree whose ``step`` goes through a scaler (``AMPOptimizer.step`` ->
  ``self._scaler.step(self._optimizer)``), reached through ``optimizer = AMPOptimizer(...)`` or a
  factory that returns one;
- Lightning Fabric: ``Fabric(precision="16-mixed")`` wraps the optimizer ``fabric.setup`` returns
  so that its ``step()`` goes through Fabric's GradScaler;
- Lightning's automatic optimisation: with ``Trainer(precision=16)`` (or ``"16-mixed"``) a
  scheduler returned by ``configure_optimizers`` with ``"interval": "step"`` is stepped after
  every optimizer step call, also when the GradScaler skipped it;
- a model class (the BasicSR layout) steps a scaler in one method and its schedulers in another
  per-iteration method (``update_learning_rate(current_iter)``) the training loop calls after it.

Each reports the ``scheduler.step()`` (or the scheduler dictionary) and names the AMP setting the
skip depends on; a scheduler step behind a check that the step ran is never reported.
"""

from __future__ import annotations

import ast
import re
from typing import cast

from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._objects import builds, callee, class_of_call
from stepguard.lint._rules_sync import _after, _guards_skip, amp_conditions
from stepguard.lint._scan import Facts, call_name, dotted, kwarg, receiver, short, walk
from stepguard.lint._window_rules import statement_of

__all__ = [
    "fabric_skipped_steps",
    "lightning_step_schedulers",
    "model_class_schedulers",
    "wrapped_scaler_steps",
]


def _scaler_in_method(owner: Facts, func: ast.AST) -> ast.Call | None:
    """The ``scaler.step(...)`` call `func` makes itself."""
    for c in walk(func):
        if (
            isinstance(c, ast.Call)
            and call_name(c) == "step"
            and owner.function_of(c) is func
            and owner.is_scaler_step(c)
        ):
            return c
    return None


def _wrapper_scaler(facts: Facts, call: ast.Call) -> tuple[str, list[Condition]] | None:
    """How `call` (``w.step(...)``) goes through a GradScaler: a description and the AMP
    conditions; None when it does not visibly do so."""
    rec = receiver(call)
    if rec is None or facts.is_scaler(rec):
        return None
    d = dotted(rec)
    if d is None:
        return None
    # `accel.step(opt)` with `accel.scaler.unscale_(opt)` in the file: the wrapper owns the
    # scaler its step goes through.
    if call.args and len(call.args) == 1 and facts.is_optimizer(call.args[0]):
        for other in facts.calls:
            inner = receiver(other)
            if (
                isinstance(inner, ast.Attribute)
                and "scaler" in inner.attr.lower()
                and dotted(inner.value) == d
            ):
                # The wrapper's AMP switch is its own: "only if `accel.scaler` is true".
                return f"`{d}` owns the GradScaler `{d}.{inner.attr}`", [
                    Condition(f"{d}.{inner.attr}", (inner,), facts, "true")
                ]
    # `optimizer.step()` / `w.step(opt)` on an object of a tree class whose `step` goes through
    # a scaler (also returned, position by position, from a factory of the tree).
    candidates = [(o, b, list[Condition]()) for o, b in builds(facts, rec)]
    for owner, build, via in [*candidates, *_returned_builds(facts, rec)]:
        cls = class_of_call(owner, build)
        if cls is None:
            continue
        cfacts, cdef = cls
        method = next(
            (
                f
                for f in cdef.body
                if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "step"
            ),
            None,
        )
        if method is None:
            continue
        inner_step = _scaler_in_method(cfacts, method)
        if inner_step is None:
            continue
        scaler = receiver(inner_step)
        conditions = [*amp_conditions(cfacts, scaler, inner_step), *via]
        stmt = statement_of(owner, build)
        if stmt is not None:
            conditions += [
                Condition(short(t, 50), (t,), owner, "true" if truth else "false")
                for _, t, truth in owner.branches(build)
            ]
        return f"`{cdef.name}.step` calls `{short(inner_step, 40)}`", conditions
    return None


def _position(facts: Facts, name: str, scope: ast.AST) -> tuple[ast.Call, int] | None:
    """``a, name, b = factory(...)`` in `scope`: the call and `name`'s position."""
    for a in facts.assigns:
        if not isinstance(a, ast.Assign) or facts.function_of(a) is not scope:
            continue
        if not isinstance(a.value, ast.Call):
            continue
        for t in a.targets:
            if isinstance(t, ast.Tuple):
                for i, e in enumerate(t.elts):
                    if dotted(e) == name:
                        return a.value, i
    return None


def _returned_builds(
    facts: Facts, node: ast.AST, depth: int = 0
) -> list[tuple[Facts, ast.Call, list[Condition]]]:
    """The constructions a name unpacked from a tree factory's returned tuple may hold
    (``model, optimizer = initialize(model, optimizer)``, where ``initialize`` returns
    ``model, AMPOptimizer(...)`` or a name bound to one, also through a nested factory), each
    with the tests of the ``if`` blocks around the nested factory calls."""
    name = dotted(node)
    if name is None or depth > 3:
        return []
    found = _position(facts, name, facts.function_of(node))
    if found is None:
        return []
    call, index = found
    # A factory that wraps objects need not look like training code itself.
    target = callee(facts, call, training=False)
    if target is None:
        return []
    owner, func = target
    out: list[tuple[Facts, ast.Call, list[Condition]]] = []
    for r in walk(func):
        if not (isinstance(r, ast.Return) and owner.function_of(r) is func):
            continue
        value = r.value
        if not isinstance(value, ast.Tuple) or index >= len(value.elts):
            continue
        elt = value.elts[index]
        if isinstance(elt, ast.Call):
            out.append((owner, elt, []))
        elif isinstance(elt, ast.Name):
            for a in owner.assigns:
                if not isinstance(a, ast.Assign) or owner.function_of(a) is not func:
                    continue
                if any(dotted(t) == elt.id for t in a.targets) and isinstance(a.value, ast.Call):
                    out.append((owner, a.value, []))
            # `model, optimizer = amp.initialize(...)` inside the factory: one level further,
            # under the factory's `if dtype is not None:`.
            inner = _position(owner, elt.id, func)
            if inner is not None:
                tests = [
                    Condition(short(t, 50), (t,), owner, "true" if truth else "false")
                    for _, t, truth in owner.branches(inner[0])
                ]
                out += [(o, b, [*c, *tests]) for o, b, c in _returned_builds(owner, elt, depth + 1)]
    return out[:8]


def wrapped_scaler_steps(facts: Facts) -> list[Violation]:
    """SG211: ``scheduler.step()`` after a step that goes through a GradScaler another object
    owns (the module docstring), not behind a check that the step ran."""
    if ".step()" not in facts.source:
        return []  # no scheduler step without arguments in the file
    # Each scheduler step is blamed on the nearest wrapper step before it.
    latest: dict[int, tuple[ast.Call, ast.Call, str, list[Condition]]] = {}
    steps = [c for c in facts.calls if call_name(c) == "step"]
    for call in sorted(steps, key=lambda c: (c.lineno, c.col_offset)):
        if facts.is_scaler_step(call) or facts.is_scheduler_step(call):
            continue
        stmt = statement_of(facts, call)
        if not isinstance(stmt, ast.Expr):
            continue
        if any(_guards_skip(test, facts) for _, test, _ in facts.branches(call)):
            continue
        scheds = _after(facts, stmt)
        if not scheds:
            continue
        found = _wrapper_scaler(facts, call)
        if found is None:
            continue
        for sched in scheds:
            latest[id(sched)] = (sched, call, *found)
    out: list[Violation] = []
    for sched, call, how, conditions in latest.values():
        message = (
            f"`{short(sched)}` runs even when `{short(call)}` (line {call.lineno}) skipped "
            f"the optimizer step: {how}, which skips the step on inf/NaN gradients; the "
            "schedule runs ahead of the optimizer; step it only when the scale did not drop"
        )
        out.append(violation(facts, sched, "SG211", message, (), conditions))
    return out


# -- Lightning: Fabric's and the Trainer's GradScaler ---------------------------------------------

# Lightning precision values whose plugin runs a GradScaler (bf16 and "16-true" have none).
_FP16 = ("16-mixed", "16", "fp16", 16)


def _fp16_value(value: ast.expr) -> bool | None:
    """True for a literal fp16-mixed precision, False for another literal, None for an expression
    (decided by the project's settings)."""
    if isinstance(value, ast.Constant):
        v = value.value
        return (v.strip().lower() if isinstance(v, str) else v) in _FP16
    return None


def _precision_conditions(facts: Facts, calls: list[ast.Call]) -> list[Condition] | None:
    """The conditions under which one of the ``precision=`` keywords of `calls` is fp16-mixed
    (a literal inside ``if fp16:``, or an expression resolved from the settings); None when
    none can be."""
    for call in calls:
        value = kwarg(call, "precision")
        if value is None:
            continue
        literal = _fp16_value(value)
        if literal is False:
            continue
        conditions = [
            Condition(short(t, 50), (t,), facts, "true" if truth else "false")
            for _, t, truth in facts.branches(call)
            if not _main_guard(t)
        ]
        what = "precision" if literal else short(value, 40)
        conditions.append(Condition(what, (value,), facts, "fp16"))
        return conditions
    return None


def _main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"``: true whenever the script runs, not a setting."""
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and any(
            isinstance(n, ast.Name) and n.id == "__name__" for n in (test.left, *test.comparators)
        )
    )


def fabric_skipped_steps(facts: Facts) -> list[Violation]:
    """SG211: ``scheduler.step()`` after the ``step()`` of an optimizer ``fabric.setup`` wrapped,
    under ``Fabric(precision="16-mixed")`` (the module docstring)."""
    if "Fabric" not in facts.source or "precision" not in facts.source:
        return []
    precision_calls = [
        c
        for c in facts.calls
        if call_name(c) in ("Fabric", "update", "dict") and kwarg(c, "precision") is not None
    ]
    conditions = _precision_conditions(facts, precision_calls)
    if conditions is None:
        return []
    wrapped: set[str] = set()
    for a in facts.assigns:
        value = a.value
        if not (isinstance(a, ast.Assign) and isinstance(value, ast.Call)):
            continue
        rec = receiver(value)
        if call_name(value) not in ("setup", "setup_optimizers") or rec is None:
            continue
        if "fabric" not in (dotted(rec) or "").lower():
            continue
        for target in a.targets:
            elts = target.elts if isinstance(target, ast.Tuple) else [target]
            wrapped.update(d for e in elts if (d := dotted(e)) and facts.is_optimizer(e))
    out: list[Violation] = []
    for call in facts.calls:
        rec = receiver(call)
        if call_name(call) != "step" or rec is None or dotted(rec) not in wrapped:
            continue
        stmt = statement_of(facts, call)
        if not isinstance(stmt, ast.Expr) or any(
            _guards_skip(test, facts) for _, test, _ in facts.branches(call)
        ):
            continue
        for sched in _after(facts, stmt):
            message = (
                f"`{short(sched)}` runs even when `{short(call)}` (line {call.lineno}) skipped "
                "the step: with fp16 mixed precision Fabric steps the optimizer it set up "
                "through a GradScaler, which skips the step on inf/NaN gradients, and the "
                "schedule runs ahead of the optimizer; step it only when the scale did not drop"
            )
            out.append(violation(facts, sched, "SG211", message, (), conditions))
    return out


def _trainer_precision(facts: Facts) -> tuple[Facts, list[Condition]] | None:
    """Where the tree builds a Lightning ``Trainer`` whose ``precision=`` may be fp16-mixed, and
    the conditions for it; cached per tree."""
    project = facts.project
    cache = project.cache if project is not None else facts.cache
    key = "lightning_fp16_trainer"
    if key in cache:
        return cast("tuple[Facts, list[Condition]] | None", cache[key])
    found: tuple[Facts, list[Condition]] | None = None
    sites: list[Facts] = [facts]
    if project is not None:
        for path in project.files:
            text = project.text(path)
            if path == facts.path or text is None or "Trainer" not in text:
                continue
            if "precision" not in text:
                continue
            other = project.definitions(path)
            if other is not None:
                sites.append(other)
    for site in sites:
        trainers = [c for c in site.calls if call_name(c) == "Trainer"]
        conditions = _precision_conditions(site, trainers)
        if conditions is not None:
            found = (site, conditions)
            break
    cache[key] = found
    return found


def lightning_step_schedulers(facts: Facts) -> list[Violation]:
    """SG211: a scheduler ``configure_optimizers`` returns with ``"interval": "step"`` under a
    Lightning ``Trainer(precision=16)`` (the module docstring)."""
    if "configure_optimizers" not in facts.source or '"interval"' not in facts.source.replace(
        "'", '"'
    ):
        return []
    if _manual_module(facts):
        # `self.automatic_optimization = False`: from Lightning 1.3 on, manual optimisation
        # leaves every scheduler to the module (Lightning steps none of them).
        return []
    out: list[Violation] = []
    for func in facts.functions.get("configure_optimizers", []):
        for d in walk(func):
            if not isinstance(d, ast.Dict) or facts.function_of(d) is not func:
                continue
            entries = {
                k.value: v
                for k, v in zip(d.keys, d.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            }
            interval = entries.get("interval")
            if "scheduler" not in entries or not isinstance(interval, ast.Constant):
                continue
            if interval.value != "step":
                continue
            found = _trainer_precision(facts)
            if found is None:
                return out
            site, conditions = found
            where = "" if site is facts else f" ({site.path})"
            old_manual = (
                " (Lightning before 1.3, which `Trainer(automatic_optimization=False)` needs, "
                "steps them under manual optimization too)"
                if _manual_trainer(site)
                else ""
            )
            message = (
                f"`{short(entries['scheduler'], 50)}` is stepped by Lightning after every "
                f'optimizer step (`"interval": "step"`){old_manual}, also when the fp16 '
                f"GradScaler of the Trainer{where} skipped it on inf/NaN gradients: the schedule "
                "runs ahead of the optimizer; use bf16, or step the scheduler yourself in "
                "`on_train_batch_end` only when the scale did not drop"
            )
            out.append(violation(facts, d, "SG211", message, (), conditions))
    return out


def _manual_module(facts: Facts) -> bool:
    """The file switches a LightningModule to manual optimization: ``self.automatic_optimization
    = False``, or an ``automatic_optimization`` property that returns False."""
    if "automatic_optimization" not in facts.source:
        return False
    for node in facts.assigns:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and node.value.value is False
            and any(
                isinstance(t, ast.Attribute) and t.attr == "automatic_optimization"
                for t in node.targets
            )
        ):
            return True
    return any(
        isinstance(r, ast.Return) and isinstance(r.value, ast.Constant) and r.value.value is False
        for func in facts.functions.get("automatic_optimization", [])
        for r in walk(func)
    )


def _manual_trainer(facts: Facts) -> bool:
    """``Trainer(automatic_optimization=False)``: the Lightning 1.0-1.2 switch to manual
    optimization, under which Lightning still stepped the schedulers of
    ``configure_optimizers`` itself (it stopped doing so in 1.3)."""
    for c in facts.calls:
        value = kwarg(c, "automatic_optimization") if call_name(c) == "Trainer" else None
        if isinstance(value, ast.Constant) and value.value is False:
            return True
    return False


# -- a model class: the scaler steps in one method, the schedulers in a per-iteration one --------

# The current iteration as a parameter: ``current_iter``, ``global_step``, ``it``, ``step``.
_ITERATION = re.compile(r"(cur|curr|current|global|i|n)?_?(iter|iteration|step|it)")
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _per_iteration(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A method the loop calls once per iteration: it takes the current iteration
    (``current_iter``, ``global_step``), not an epoch or a count (``accumulation_steps``)."""
    names = [a.arg.lower() for a in (*func.args.posonlyargs, *func.args.args)][1:]
    return any(_ITERATION.fullmatch(n) for n in names)


def _once(facts: Facts, func: ast.AST, sched: ast.Call) -> bool:
    """`sched` runs once per call of `func`: in no loop of it but one over the schedulers
    (``for scheduler in self.schedulers: scheduler.step()``)."""
    loop = facts.enclosing(sched, (*_LOOPS, ast.FunctionDef, ast.AsyncFunctionDef))
    if loop is func:
        return True
    if (
        not isinstance(loop, ast.For)
        or facts.enclosing(loop, (*_LOOPS, ast.FunctionDef)) is not func
    ):
        return False
    return dotted(loop.target) == dotted(receiver(sched))  # type: ignore[arg-type]


def _single_scaler_step(site: Facts, cls: ast.ClassDef) -> ast.Call | None:
    """A ``scaler.step(optimizer)`` a method of `cls` makes once per call (not in a loop of its
    own: a method stepping a whole epoch is not a per-iteration step)."""
    for item in cls.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        step = _scaler_in_method(site, item)
        if step is not None and site.enclosing(step, (*_LOOPS, ast.FunctionDef)) is item:
            return step
    return None


def _family_scaler_step(facts: Facts, cls: ast.ClassDef) -> tuple[Facts, ast.Call] | None:
    """A per-call GradScaler step in `cls`, its bases in the tree, or its subclasses in the tree
    (found in files that name `cls` and a scaler)."""
    family: list[tuple[Facts, ast.ClassDef]] = [(facts, cls)]
    if facts.project is not None:
        family += facts.project.bases(facts, cls)
    for site, c in family:
        step = _single_scaler_step(site, c)
        if step is not None:
            return site, step
    project = facts.project
    sites: list[Facts] = [facts]
    if project is not None:
        for path in project.files:
            text = project.text(path)
            if path == facts.path or text is None or cls.name not in text or "scale" not in text:
                continue
            other = project.definitions(path)
            if other is not None:
                sites.append(other)
    for site in sites:
        for subs in site.classes.values():
            for sub in subs:
                if sub is cls or not any(
                    (dotted(b) or "").rpartition(".")[2] == cls.name for b in sub.bases
                ):
                    continue
                step = _single_scaler_step(site, sub)
                if step is not None:
                    return site, step
    return None


def model_class_schedulers(facts: Facts) -> list[Violation]:
    """SG211: a per-iteration method of a class (``update_learning_rate(current_iter)``) steps
    schedulers that a method of the same class family steps through a GradScaler (the module
    docstring), not behind a check that the step ran."""
    if ".step()" not in facts.source or "schedul" not in facts.source:
        return []
    out: list[Violation] = []
    for defs in facts.functions.values():
        for func in defs:
            cls = facts.class_of(func)
            if cls is None or not _per_iteration(func):
                continue
            if _scaler_in_method(facts, func) is not None:
                continue  # the scaler steps here: the base rule's statement order decides
            scheds = [
                c
                for c in walk(func)
                if isinstance(c, ast.Call)
                and facts.function_of(c) is func
                and facts.is_scheduler_step(c)
                and _once(facts, func, c)
                and not any(_guards_skip(t, facts) for _, t, _ in facts.branches(c))
            ]
            if not scheds:
                continue
            found = _family_scaler_step(facts, cls)
            if found is None:
                continue
            site, step = found
            owner = site.class_of(step)
            where = f"`{owner.name}`" if owner is not None else "this class"
            if site is not facts:
                where += f" ({site.path}:{step.lineno})"
            else:
                where += f" (line {step.lineno})"
            rec = receiver(step)
            scaler = rec if rec is not None and site.is_scaler(rec) else None
            conditions = amp_conditions(site, scaler, step)
            for sched in scheds:
                message = (
                    f"`{short(sched)}` in `{func.name}` steps the schedule every iteration, "
                    f"while {where} steps the optimizer through `{short(step, 40)}`, which "
                    "skips the step on inf/NaN gradients: the schedule runs ahead of the "
                    "optimizer; step it only when the scale did not drop"
                )
                out.append(violation(facts, sched, "SG211", message, (), conditions))
    return out
