"""Schedule length under accumulation: SG205, and the check SG202 uses to spare a schedule that is
deliberately counted in micro-batches.

A schedule's length (``num_training_steps``, ``total_steps``, ``T_max``, ``total_iters``) is
followed through names and attributes (``args.max_steps = epochs * len(loader)``, ``self.total``)
to the ``len(loader)`` it counts. It counts micro-batches when no division (``/ k``, ``// k``,
``math.ceil``) is applied to that count; a division inside the ``len(...)`` argument (a DataLoader
whose batch size is divided by k) does not change what ``len(loader)`` counts.

SG205 reports such a length for a scheduler that belongs to an accumulation window (built in the
window's function, or stepped inside its loop) and is stepped once per optimizer step, and for a
scheduler prepared by accelerate when the ``Accelerator`` accumulates (``gradient_accumulation_steps
= K``): a prepared scheduler advances only on the steps that sync. A scheduler stepped on every
micro-batch with a length in micro-batches is consistent: neither SG202 nor SG205 fires.
"""

from __future__ import annotations

import ast

from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._objects import callee, passed_argument
from stepguard.lint._scan import (
    Facts,
    FuncDef,
    assigned_names,
    build_kind,
    call_name,
    dotted,
    kwarg,
    receiver,
    short,
)
from stepguard.lint._values import binding
from stepguard.lint._window_rules import (
    accelerate_steps,
    accelerator_build,
    lightning_trainers,
    manual_optimization,
    setting_name,
    where_it_steps,
    window_condition,
    windows,
)
from stepguard.lint._windows import Window, accumulate_blocks

__all__ = ["check_sg205", "sized_in_micro_batches"]

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


def _bound(facts: Facts, node: ast.expr, at: ast.AST) -> ast.expr | None:
    """What a name or attribute (``total``, ``args.max_steps``, ``self.total``) is set to: its
    single assignment in the function of `at`, else (``self.x``) in the class, else the module."""
    if isinstance(node, ast.Name):
        return binding(facts, node.id, at)
    target = dotted(node)
    if target is None:
        return None
    scopes: list[ast.AST] = [facts.function_of(at)]
    cls = facts.class_of(at)
    if target.startswith("self.") and cls is not None:
        scopes.append(cls)
    scopes.append(facts.tree)
    for scope in scopes:
        found = [
            n.value
            for n in facts.assigns
            if isinstance(n, ast.Assign)
            and any(dotted(t) == target for t in n.targets)
            and (facts.function_of(n) is scope or (scope is cls and facts.class_of(n) is cls))
        ]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def _counts(
    facts: Facts,
    expr: ast.AST,
    at: ast.AST,
    depth: int = 0,
    avoid: frozenset[str] = frozenset(),
) -> tuple[ast.expr | None, bool]:
    """(the first ``len(...)`` argument, whether the count is divided or rounded) over `expr` and
    the names and attributes it is built from (not inside ``len(...)`` itself)."""
    found: ast.expr | None = None
    has_div = False
    stack: list[ast.AST] = [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call) and call_name(n) == "len":
            if found is None and n.args:
                found = n.args[0]
            continue
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv)):
            if _per_batch(facts, n.right, at, avoid) and _samples(facts, n.left, at):
                # `num_samples // (batch_size * world_size)`: the number of batches per rank.
                found = found if found is not None else n
                stack.append(n.left)
                continue
            has_div = True
        elif isinstance(n, ast.Call) and call_name(n) in ("ceil", "floor", "optimizer_steps"):
            if len(n.args) == 1 and isinstance(n.args[0], ast.BinOp):
                inner = n.args[0]
                if (
                    isinstance(inner.op, (ast.Div, ast.FloorDiv))
                    and _per_batch(facts, inner.right, at, avoid)
                    and _samples(facts, inner.left, at)
                ):
                    found = found if found is not None else inner
                    stack.append(inner.left)
                    continue
            has_div = True
        if isinstance(n, (ast.Name, ast.Attribute)):
            value = _bound(facts, n, at) if depth < 3 else None
            if value is not None:
                a, b = _counts(facts, value, value, depth + 1, avoid)
                found = found if found is not None else a
                has_div = has_div or b
            continue
        stack.extend(ast.iter_child_nodes(n))
    return found, has_div


_BATCH_WORDS = ("batch_size", "batchsize", "bsz", "world_size", "num_gpus", "n_gpu", "nproc")
_NOT_PER_BATCH = ("total", "global", "effective", "accum", "grad_acc", "update")


def _per_batch(
    facts: Facts, divisor: ast.expr, at: ast.AST, avoid: frozenset[str], depth: int = 0
) -> bool:
    """`divisor` is a batch size (times the number of processes): ``args.batch_size``,
    ``batch_size * world_size``, ``cfg.per_device_batch_size``. A total, global or effective
    batch size may already hold the accumulation steps, and so may a name the window length is
    computed from (`avoid`: ``k = batch_size // micro_batch_size``): not one."""
    if isinstance(divisor, ast.BinOp) and isinstance(divisor.op, ast.Mult):
        return _per_batch(facts, divisor.left, at, avoid, depth) and _per_batch(
            facts, divisor.right, at, avoid, depth
        )
    if isinstance(divisor, ast.Call) and call_name(divisor) == "int" and divisor.args:
        return _per_batch(facts, divisor.args[0], at, avoid, depth)
    if isinstance(divisor, ast.Call) and call_name(divisor) == "get_world_size":
        return True
    if (
        isinstance(divisor, ast.Subscript)
        and isinstance(divisor.slice, ast.Constant)
        and isinstance(divisor.slice.value, str)
    ):
        # `CFG["batch_size"]`: a config dict's key names the value as an attribute would.
        name = divisor.slice.value.lower()
        return not any(w in name for w in _NOT_PER_BATCH) and _batch_word(name)
    if not isinstance(divisor, (ast.Name, ast.Attribute)) or dotted(divisor) in avoid:
        return False
    name = setting_name(divisor).lower()
    value = _bound(facts, divisor, at) if depth < 2 else None
    if any(w in name for w in _NOT_PER_BATCH):
        # `total_batch_size = batch_size * world_size` is per batch; one that multiplies the
        # accumulation steps in (or cannot be read) is not.
        return value is not None and _per_batch(facts, value, value, avoid, depth + 1)
    if _batch_word(name):
        return True
    return value is not None and _per_batch(facts, value, value, avoid, depth + 1)


def _batch_word(name: str) -> bool:
    """`name` (lower case) names a batch size or a number of processes: ``batch_size``,
    ``bsz``, ``world_size``, and ``bs`` as a whole word (``train_bs``, ``bs_per_gpu``)."""
    return (
        any(w in name for w in _BATCH_WORDS)
        or name in ("world", "ngpus")
        or "bs" in name.split("_")
    )


def _samples(facts: Facts, numerator: ast.expr, at: ast.AST) -> bool:
    """`numerator` counts samples, not steps (``args.train_num_samples``, ``len(dataset)``): a
    step or iteration count divided by a batch size is not a number of batches. A name is judged
    by what it is bound to when that is a ``len(...)`` (``total_steps = len(train_dataset)``
    counts samples whatever it is called)."""
    if isinstance(numerator, (ast.Name, ast.Attribute)):
        value = _bound(facts, numerator, at)
        if isinstance(value, ast.Call) and call_name(value) == "len" and len(value.args) == 1:
            numerator = value
    text = ast.unparse(numerator).lower()
    return not any(w in text for w in ("iter", "step", "epoch", "loader"))


def k_names(facts: Facts, k: ast.expr | None, at: ast.AST) -> frozenset[str]:
    """The dotted names the window length is written with, and those of its definition (``k =
    batch_size // micro_batch_size``). A name the definition divides by is left out: ``k = max(1,
    32 // train_bs)`` makes `train_bs` the micro-batch's size, a batch size like any other."""
    out: set[str] = set()
    stack: list[tuple[ast.AST, int]] = [(k, 0)] if k is not None else []
    while stack:
        node, depth = stack.pop()
        divisors = {
            id(x)
            for d in ast.walk(node)
            if isinstance(d, ast.BinOp) and isinstance(d.op, (ast.Div, ast.FloorDiv)) and depth
            for x in ast.walk(d.right)
        }
        for x in ast.walk(node):
            if id(x) in divisors:
                continue
            if isinstance(x, (ast.Name, ast.Attribute)) and (d := dotted(x)) is not None:
                if d in out or d in ("self", "args", "cfg", "config"):
                    continue
                out.add(d)
                value = _bound(facts, x, at) if depth < 2 else None
                if value is not None:
                    stack.append((value, depth + 1))
    return frozenset(out)


def _times_k(expr: ast.AST, k: ast.expr | None, k_text: str) -> bool:
    """`expr` multiplies by the window length (``args.max_steps * args.accum``)."""
    want = {k_text}
    if k is not None:
        want.add(setting_name(k))
    for n in ast.walk(expr):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
            for side in (n.left, n.right):
                if short(side, 40) in want or setting_name(side) in want - {"k"}:
                    return True
    return False


def sized_in_micro_batches(facts: Facts, w: Window, step: ast.Call) -> bool:
    """The scheduler `step` advances has a length counted in micro-batches (``len(loader)`` with
    no division, or a length multiplied by the window length). A scheduler returned by a helper
    (``opt, sched = build_optimizer_scheduler(args, model)``) is read in the helper, its
    parameters standing for the caller's arguments (``args.num_training_steps`` set in the
    caller's file)."""
    rec = receiver(step)
    d = dotted(rec) if rec is not None else None
    build = facts.schedulers.get(d or "")
    if build is None and isinstance(rec, (ast.Name, ast.Attribute)):
        bound = _bound(facts, rec, step)
        if _lightning_schedulers_call(bound):
            return _lightning_sized_in_micro_batches(facts, w, step)
        build = bound if isinstance(bound, ast.Call) else None
    if build is None:
        return False
    if _loop_bound_length(facts, w, build):
        return True
    if any(_micro_length(facts, w, e, build) for e in _lengths(build)):
        return True
    if build_kind(facts, build) == "scheduler":
        return False
    found = callee(facts, build)
    if found is None:
        return False
    owner, func = found
    inner = [
        c for c in ast.walk(func) if isinstance(c, ast.Call) and build_kind(owner, c) == "scheduler"
    ]
    if len(inner) != 1:
        return False
    for expr in _lengths(inner[0]):
        here = _in_caller(func, build, expr)
        if here is not None and _micro_length(facts, w, here, build):
            return True
        if here is None and _micro_length(owner, w, expr, inner[0]):
            return True
    return False


def _lightning_schedulers_call(node: ast.AST | None) -> bool:
    """``self.lr_schedulers()`` (or one of them: ``self.lr_schedulers()[0]``)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return (
        isinstance(node, ast.Call)
        and call_name(node) == "lr_schedulers"
        and isinstance(node.func, ast.Attribute)
        and dotted(node.func.value) == "self"
    )


def _lightning_sized_in_micro_batches(facts: Facts, w: Window, step: ast.Call) -> bool:
    """A LightningModule's scheduler (``sch = self.lr_schedulers(); sch.step()`` under manual
    optimization) is sized in micro-batches: every scheduler its ``configure_optimizers`` builds
    is given ``self.trainer.estimated_stepping_batches`` (one per ``training_step`` call, since
    manual optimization leaves the Trainer's ``accumulate_grad_batches`` at 1), or
    ``self.trainer.max_steps`` where every Lightning ``Trainer(max_steps=...)`` of the tree is
    given a micro-batch count (``max_epochs * len(train_loader)``), or a length of its own that
    counts micro-batches."""
    cls = facts.class_of(step)
    if cls is None or not manual_optimization(facts, step):
        return False
    configure = [
        f
        for f in cls.body
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        and f.name == "configure_optimizers"
    ]
    if len(configure) != 1:
        return False
    builds = [
        c
        for c in ast.walk(configure[0])
        if isinstance(c, ast.Call) and build_kind(facts, c) == "scheduler"
    ]
    if not builds:
        return False
    for build in builds:
        lengths = _length_args(build)
        if not lengths or not any(_lightning_micro(facts, w, e, build) for _, e in lengths):
            return False
    return True


def _lightning_micro(facts: Facts, w: Window, expr: ast.expr, build: ast.Call) -> bool:
    found = _trainer_length(facts, w, expr, build)
    return _micro_length(facts, w, expr, build) if found is None else found


def _trainer_length(facts: Facts, w: Window, expr: ast.expr, at: ast.AST) -> bool | None:
    """For a length read from the Lightning Trainer of a module under manual optimization: is
    it a micro-batch count (`_lightning_sized_in_micro_batches`)? None for any other length."""
    names = {dotted(n) for n in ast.walk(expr) if isinstance(n, (ast.Attribute, ast.Name))}
    wanted = ("self.trainer.estimated_stepping_batches", "self.trainer.max_steps")
    if not any(n in names for n in wanted) or not manual_optimization(facts, at):
        return None
    if "self.trainer.estimated_stepping_batches" in names:
        return True
    trainers = [(f, kwarg(c, "max_steps")) for f, c in lightning_trainers(facts)]
    return bool(trainers) and all(
        value is not None and _micro_length(owner, w, value, value) for owner, value in trainers
    )


def _lengths(build: ast.Call) -> list[ast.expr]:
    """The schedule-length arguments of `build`, by known position or keyword, then under any
    keyword that names a length (``epoch_steps=len(loader)``, ``max_steps=cfg.total_step``)."""
    out = [expr for _, expr in _length_args(build)]
    for kw in build.keywords:
        if kw.arg and any(w in kw.arg for w in ("step", "iters", "total", "t_max")):
            out.append(kw.value)
    return out


# Keywords a scheduler factory outside the linted files takes the schedule's length by.
_LENGTH_KEYWORDS = frozenset(
    (
        "num_training_steps",
        "num_train_steps",
        "total_steps",
        "total_training_steps",
        "t_total",
        "max_steps",
        "num_steps",
    )
)


def _factory_lengths(facts: Facts, call: ast.Call) -> list[tuple[str, ast.expr]]:
    """The length handed by keyword to a scheduler factory the linter cannot read
    (``fetch_scheduler(optimizer, cfg, num_train_steps=n)``, imported from outside the tree): the
    keyword names the schedule's length, whatever the factory builds with it."""
    if build_kind(facts, call) != "scheduler" or callee(facts, call) is not None:
        return []
    return [(k.arg, k.value) for k in call.keywords if k.arg in _LENGTH_KEYWORDS]


def _helper_lengths(facts: Facts, call: ast.Call) -> list[tuple[str, ast.expr]]:
    """The length of a schedule built by a helper (``scheduler = get_scheduler(cfg, optimizer,
    num_training_steps)``), in the caller's terms: every scheduler the helper can build (one per
    ``if``/``elif`` branch) is given the same parameter, and the caller passes a name or an
    attribute for it. Empty when any branch's length is something else."""
    if build_kind(facts, call) != "scheduler":
        return []
    found = callee(facts, call)
    if found is None:
        return []
    owner, func = found
    inner = [
        c for c in ast.walk(func) if isinstance(c, ast.Call) and build_kind(owner, c) == "scheduler"
    ]
    out: list[tuple[str, ast.expr]] = []
    for build in inner:
        lengths = _length_args(build)
        if not lengths:
            return []
        for key, expr in lengths:
            here = _in_caller(func, call, expr)
            if here is None:
                return []
            if out and ast.dump(here) != ast.dump(out[0][1]):
                return []
            if not out:
                out.append((key, here))
    return out


def _micro_length(facts: Facts, w: Window, expr: ast.expr, at: ast.AST) -> bool:
    if _times_k(expr, w.k_node, w.k):
        return True
    trainer = _trainer_length(facts, w, expr, at)
    if trainer is not None:
        return trainer
    loader, has_div = _counts(facts, expr, at, avoid=k_names(facts, w.k_node, at))
    return loader is not None and not has_div


def _in_caller(func: ast.AST, call: ast.Call, expr: ast.expr) -> ast.expr | None:
    """`expr` (a name or attribute inside helper `func`) rewritten in the caller's terms: its root
    parameter replaced by the argument `call` passes for it (``training_args.num_training_steps``
    when the caller passes ``training_args``), or None when it does not start at a parameter."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    root: ast.expr = expr
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return None
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    if params[:1] in (["self"], ["cls"]):
        params = params[1:]
    arg: ast.expr | None = kwarg(call, root.id)
    if arg is None and root.id in params:
        i = params.index(root.id)
        if i < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: i + 1]):
            arg = call.args[i]
    if not isinstance(arg, (ast.Name, ast.Attribute)):
        return None
    text = ast.unparse(expr)
    try:
        rewritten = ast.parse(ast.unparse(arg) + text[len(root.id) :], mode="eval").body
    except SyntaxError:
        return None
    return ast.copy_location(rewritten, call)


def _micro_loop(facts: Facts, w: Window) -> ast.AST | None:
    """The loop whose iterations are the window's micro-batches: the window's own loop, or, for a
    function run once per micro-batch (``train_step(model, batch, ..., step)``), the one loop of
    this file that calls it directly (no other loop or function in between), or None."""
    if not isinstance(w.loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return w.loop
    found: list[ast.AST] = []
    for call in w.calls_in:
        node: ast.AST | None = facts.parents.get(call)
        while node is not None and not isinstance(node, (ast.For, ast.While, *_FUNCS)):
            node = facts.parents.get(node)
        if node is None or isinstance(node, _FUNCS):
            return None
        if not any(node is f for f in found):
            found.append(node)
    return found[0] if len(found) == 1 else None


def _loop_bound_length(facts: Facts, w: Window, build: ast.Call) -> bool:
    """The schedule is given the bound of the micro-batch loop itself (``while step <=
    args.total_steps`` and ``Scheduler(opt, warmup, args.total_steps)``; ``for step in
    range(total_steps): train_step(...)`` with a per-call window and ``create_scheduler(opt, cfg,
    total_steps)``): it counts loop iterations, that is micro-batches."""
    loop = _micro_loop(facts, w)
    if loop is None or w.kind == "nested":
        return False
    if loop is not w.loop and facts.function_of(loop) is not facts.function_of(build):
        return False  # the bound's name means something else in the scheduler's function
    bounds: list[ast.expr] = []
    if isinstance(loop, ast.While) and isinstance(loop.test, ast.Compare):
        bounds = [loop.test.left, *loop.test.comparators]
    elif (
        isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.Call)
        and call_name(loop.iter) == "range"
    ):
        bounds = list(loop.iter.args)
    wanted = {ast.dump(b) for b in bounds if isinstance(b, (ast.Name, ast.Attribute))}
    if not wanted:
        return False
    args = [*build.args, *(k.value for k in build.keywords)]
    return any(ast.dump(a) in wanted for a in args)


def _ranged(facts: Facts, w: Window, step: ast.Call) -> bool:
    """`step` runs on every micro-batch of a range of them, outside the window's guard: each
    ``if`` between it and the micro-batch loop compares a counter with a bound (``if step <
    args.warmup: warmup.step()``), none tests a remainder or a sync flag. A warm-up stepped so is
    counted in micro-batches by construction."""
    if w.kind != "guard" or w.guard is None:
        return False
    node: ast.AST | None = facts.parents.get(step)
    seen_if = False
    while node is not None and node is not w.loop:
        if node is w.guard:
            return False
        if isinstance(node, ast.If):
            test = node.test
            if not (
                isinstance(test, ast.Compare)
                and all(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in test.ops)
                and not any(
                    isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in ast.walk(test)
                )
            ):
                return False
            seen_if = True
        elif isinstance(node, (ast.For, ast.While, ast.With, ast.Try, *_FUNCS)):
            return False
        node = facts.parents.get(node)
    return node is w.loop and seen_if


_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _loop_count_finding(
    facts: Facts,
    call: ast.Call,
    length: ast.expr,
    arg: ast.expr,
    bound: str,
    owner: Facts,
    w: Window,
) -> Violation:
    name = short(length, 30)
    value = _bound(facts, length, call) if isinstance(length, ast.Name) else None
    at: ast.AST = length
    shown = f"`{name}`"
    if value is not None:
        shown += f" (= `{short(value, 50)}`)"
        at = facts.parents.get(value) or value
    where = f"the optimizer steps {where_it_steps(w)}"
    line = w.step.lineno
    loop_at = f"line {w.loop.lineno}"
    if owner is not facts:
        where = where.replace(f"(line {line})", f"({owner.path}:{line})")
        loop_at = f"{owner.path}:{w.loop.lineno}"
    message = (
        f"the schedule's length {shown} counts `{short(arg, 30)}`, the iterations of the "
        f"micro-batch loop `for ... in range({bound})` ({loop_at}) it is "
        f"passed to, but {where}: the schedule is {w.k} times too long; count optimizer steps: "
        f"`math.ceil({short(arg, 30)} / {w.k})` per epoch"
    )
    return violation(facts, at, "SG205", message, (), window_condition(owner, w), call)


def _custom_schedulers(facts: Facts) -> list[ast.Call]:
    """Schedulers of a class the linter does not know (``WarmupCosineScheduler(optimizer, ...)``
    from the project's own module): a capitalised call named ``*Scheduler`` whose first argument
    is an optimizer, in a function that holds a window. Only the loop-bound shape
    (`_bound_given`) is read for them: their length arguments are unknown."""
    if not facts.loops:
        return []
    known = {id(c) for c in facts.scheduler_builds}
    out = []
    for c in facts.calls:
        name = call_name(c)
        if (
            id(c) not in known
            and name[:1].isupper()
            and name.endswith("Scheduler")
            and c.args
            and isinstance(c.args[0], (ast.Name, ast.Attribute))
            and facts.is_optimizer(c.args[0])
        ):
            out.append(c)
    return out


def _bound_given(facts: Facts, w: Window, build: ast.Call) -> ast.expr | None:
    """The argument of `build` that is the micro-batch loop's own bound (``for step in
    range(target_steps):`` and ``Scheduler(opt, warmup, target_steps)``), `_loop_bound_length`'s
    shape, for a scheduler built in the function of that loop."""
    loop = _micro_loop(facts, w)
    if loop is None or facts.function_of(build) is not facts.function_of(loop):
        return None
    if not _loop_bound_length(facts, w, build):
        return None
    bounds: list[ast.expr] = []
    if isinstance(loop, ast.While) and isinstance(loop.test, ast.Compare):
        bounds = [loop.test.left, *loop.test.comparators]
    elif isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call):
        bounds = list(loop.iter.args)
    wanted = {ast.dump(b) for b in bounds}
    args = [*build.args, *(k.value for k in build.keywords)]
    return next((a for a in args if ast.dump(a) in wanted), None)


def _targets(facts: Facts, call: ast.Call) -> set[str]:
    parent = facts.parents.get(call)
    if isinstance(parent, ast.Assign):
        return {n for t in parent.targets for n in assigned_names(t)}
    if isinstance(parent, ast.AnnAssign):
        return set(assigned_names(parent.target))
    return set()


def _stepped_in(facts: Facts, names: set[str], loop: ast.AST) -> list[ast.Call]:
    out = []
    for n in ast.walk(loop):
        rec = receiver(n) if isinstance(n, ast.Call) else None
        if (
            isinstance(n, ast.Call)
            and call_name(n) == "step"
            and rec is not None
            and (dotted(rec) or "") in names
        ):
            out.append(n)
    return out


def _window_of(facts: Facts, call: ast.Call, names: set[str]) -> Window | None:
    """The window the scheduler built by `call` belongs to: one that steps it, else one in the
    function that builds it."""
    ws = windows(facts)
    for w in ws:
        if names and _stepped_in(facts, names, w.outer or w.loop):
            return w
    here = facts.function_of(call)
    return next((w for w in ws if w.scope(facts) is here), None)


def _passed_window(facts: Facts, names: set[str]) -> tuple[Facts, Window, str] | None:
    """A window of a function the scheduler is handed to (``train_one_epoch(...,
    lr_scheduler=lr_scheduler)``, in this file or, in project mode, another file of the tree)
    that steps it once per optimizer step: (that file's facts, the window, the parameter)."""
    found = _passed_call(facts, names)
    return None if found is None else found[:3]


def _passed_call(
    facts: Facts, names: set[str]
) -> tuple[Facts, Window, str, ast.Call, FuncDef] | None:
    """`_passed_window`, with the call that hands the scheduler over and the function called."""
    for call in facts.calls:
        passed = [a for a in [*call.args, *(k.value for k in call.keywords)] if dotted(a) in names]
        if not passed:
            continue
        found = callee(facts, call)
        if found is None:
            continue
        owner, func = found
        a = func.args
        pos = [x.arg for x in (*a.posonlyargs, *a.args)]
        for param in [*pos, *(x.arg for x in a.kwonlyargs)]:
            arg = passed_argument(call, func, param, pos)
            if arg is None or dotted(arg) not in names:
                continue
            for w in windows(owner):
                if w.scope(owner) is func and _stepped_in(owner, {param}, w.region):
                    return owner, w, param, call, func
    return None


def _caller_loop_bound(
    facts: Facts, names: set[str], build: ast.Call
) -> tuple[ast.expr, ast.expr, str, Facts, Window] | None:
    """A schedule whose length counts the iterations of a micro-batch loop in the function the
    scheduler is handed to: that loop runs ``range(p)`` over a parameter ``p``, the caller passes
    a name for it (``train_epoch(..., steps_per_epoch, scheduler, ...)``), and the length is
    built from that name by products only (``total_steps = steps_per_epoch * args.epochs``),
    passed as a length argument or read by the ``lr_lambda`` closure of a ``LambdaLR``. (the
    length's binding, the name passed, the loop's bound as written, that file's facts, the
    window) or None."""
    found = _passed_call(facts, names)
    if found is None:
        return None
    owner, w, param, call, func = found
    if any(s in set(w.calls()) for s in _stepped_in(owner, {param}, w.loop)):
        return None  # stepped on every micro-batch: consistent with a count of them
    loop = w.loop
    if not (
        w.kind == "guard"
        and isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.Call)
        and call_name(loop.iter) == "range"
        and len(loop.iter.args) == 1
        and isinstance(loop.iter.args[0], ast.Name)
    ):
        return None
    bound = loop.iter.args[0].id
    a = func.args
    pos = [x.arg for x in (*a.posonlyargs, *a.args)]
    if bound not in [*pos, *(x.arg for x in a.kwonlyargs)]:
        return None
    arg = passed_argument(call, func, bound, pos)
    if not isinstance(arg, ast.Name):
        return None
    best: tuple[int, ast.expr] | None = None
    for name in _length_names(facts, build):
        depth = _product_of(facts, name, arg.id, build)
        if depth is not None and (best is None or depth < best[0]):
            best = (depth, name)
    if best is None:
        return None
    return best[1], arg, bound, owner, w


def _length_names(facts: Facts, build: ast.Call) -> list[ast.expr]:
    """The names a schedule's length is given by: its length arguments, and for ``LambdaLR(opt,
    f)`` with `f` a function defined in the same function, the names `f` reads that the
    enclosing function binds."""
    out: list[ast.expr] = [e for e in _lengths(build) if isinstance(e, ast.Name)]
    if call_name(build) != "LambdaLR" or len(build.args) < 2:
        return out
    fn = build.args[1]
    scope = facts.function_of(build)
    body: ast.AST | None = fn if isinstance(fn, ast.Lambda) else None
    if isinstance(fn, ast.Name):
        body = next(
            (
                n
                for n in ast.walk(scope)
                if isinstance(n, ast.FunctionDef) and n.name == fn.id and n is not scope
            ),
            None,
        )
    if body is None:
        return out
    seen: set[str] = set()
    for n in ast.walk(body):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in seen:
            seen.add(n.id)
            if binding(facts, n.id, build) is not None:
                out.append(ast.copy_location(ast.Name(id=n.id, ctx=ast.Load()), n))
    return out


def _product_of(facts: Facts, node: ast.expr, name: str, at: ast.AST, depth: int = 0) -> int | None:
    """How many bindings down `node` reaches `name` through products, sums and ``int()``/
    ``min()``/``max()`` only (no division, no other call), or None."""
    if depth > 3:
        return None
    if isinstance(node, ast.Name):
        if node.id == name and depth > 0:
            return depth
        value = binding(facts, node.id, at)
        return None if value is None else _product_of(facts, value, name, at, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)):
        sides = [_product_of(facts, x, name, at, depth) for x in (node.left, node.right)]
        found = [d for d in sides if d is not None]
        if isinstance(node.op, ast.Sub) and sides[1] is not None:
            return None  # `total - steps_per_epoch`: not a count of them
        return min(found) if found else None
    if isinstance(node, ast.Call) and call_name(node) == "int" and len(node.args) == 1:
        return _product_of(facts, node.args[0], name, at, depth)
    return None


def _handed_blocks(facts: Facts, names: set[str]) -> list[ast.With | ast.AsyncWith]:
    """The ``accumulate()`` blocks, in another file of the tree, of the class or function the
    scheduler is handed to (``MftTrainer(accelerator, model, ..., lr_scheduler, args)`` whose
    ``accelerate_train`` loops under ``self.accelerator.accumulate(...)``)."""
    out: list[ast.With | ast.AsyncWith] = []
    for call in facts.calls:
        if not any(dotted(a) in names for a in [*call.args, *(k.value for k in call.keywords)]):
            continue
        target: tuple[Facts, ast.AST] | None = None
        f = call.func
        if isinstance(f, ast.Name) and f.id in facts.aliases and facts.project is not None:
            target = facts.project.lookup(facts, facts.aliases[f.id], training=True)
        if target is None:
            target = callee(facts, call)
        if target is None or target[0] is facts:
            continue
        owner, node = target
        inside = {id(x) for x in ast.walk(node)}
        out += [b for b in accumulate_blocks(owner) if id(b) in inside]
    return out


def _steps_with_optimizer(facts: Facts, block: ast.With | ast.AsyncWith) -> bool:
    """The Accelerator of an ``accumulate()`` block steps a prepared scheduler with the optimizer
    (its default); False for ``Accelerator(step_scheduler_with_optimizer=False)``, whose prepared
    scheduler advances on every call, sync or not."""
    e = block.items[0].context_expr
    rec = e.func.value if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) else None
    build = accelerator_build(facts, dotted(rec) if rec is not None else None)
    flag = kwarg(build, "step_scheduler_with_optimizer") if build is not None else None
    return not (isinstance(flag, ast.Constant) and flag.value is False)


def counts_micro_batches(facts: Facts, scheduler: ast.expr, k: ast.expr | None) -> bool:
    """A scheduler named `scheduler` is built in the file with a length that visibly counts
    micro-batches (``len(loader)`` undivided, or multiplied by the window length `k`)."""
    name = dotted(scheduler)
    if name is None:
        return False
    k_text = short(k, 40) if k is not None else "k"
    for build in facts.scheduler_builds:
        if name not in _targets(facts, build):
            continue
        for _, expr in _length_args(build):
            loader, has_div = _counts(facts, expr, build, avoid=k_names(facts, k, build))
            if (loader is not None and not has_div) or _times_k(expr, k, k_text):
                return True
    return False


def _prepared(facts: Facts, names: set[str]) -> bool:
    for c in facts.calls:
        rec = receiver(c)
        if (
            call_name(c).startswith("prepare")
            and rec is not None
            and facts.is_accelerator(rec)
            and any(dotted(a) in names for a in c.args)
        ):
            return True
    return False


def check_sg205(facts: Facts) -> list[Violation]:
    """SG205: a schedule sized with ``len(loader)`` (micro-batches) for a scheduler stepped once
    per optimizer step of a window, or prepared by an accumulating Accelerator."""
    known = {id(c) for c in facts.scheduler_builds}
    builds = [*facts.scheduler_builds, *_custom_schedulers(facts)]
    if not builds:
        return []
    local = bool(windows(facts) or accumulate_blocks(facts))
    if not local and facts.project is None and not facts.functions:
        return []
    out = []
    for call in builds:
        names = _targets(facts, call)
        by_loop = _caller_loop_bound(facts, names, call) if names else None
        if by_loop is not None:
            out.append(_loop_count_finding(facts, call, *by_loop))
            continue
        w = _window_of(facts, call, names) if local else None
        owner, stepped = facts, names
        if w is None and names:
            passed = _passed_window(facts, names)
            if passed is not None:
                owner, w, param = passed
                stepped = {param}
        k_text = "k"
        k_node: ast.expr | None = None
        conditions: list[Condition]
        if w is not None:
            steps_here = _stepped_in(owner, stepped, w.loop)
            if any(s in set(w.calls()) or _ranged(owner, w, s) for s in steps_here):
                continue  # stepped every micro-batch: SG202's business (or consistent)
            k_text, k_node, where = w.k, w.k_node, f"the optimizer steps {where_it_steps(w)}"
            if owner is not facts:
                line = w.step.lineno
                where = where.replace(f"(line {line})", f"({owner.path}:{line})")
            conditions = window_condition(owner, w)
        else:
            blocks = accumulate_blocks(facts) if local else []
            if not blocks and names and accelerator_build(facts) is not None:
                blocks = _handed_blocks(facts, names)
            if not blocks or not names or not _prepared(facts, names):
                continue
            steps = accelerate_steps(facts, blocks[0])
            if steps is None or (isinstance(steps, ast.Constant) and steps.value in (0, 1)):
                continue
            if not _steps_with_optimizer(facts, blocks[0]):
                continue  # `step_scheduler_with_optimizer=False`: it advances every micro-batch
            k_node, k_text = steps, short(steps, 40)
            where = (
                f"the prepared scheduler advances only on the steps that sync (once per "
                f"{k_text} micro-batches, `Accelerator(gradient_accumulation_steps={k_text})`)"
            )
            conditions = [Condition(setting_name(steps), (steps,), facts, ">1")]
        bound = _bound_given(facts, w, call) if w is not None and owner is facts else None
        if bound is not None and w is not None:
            loop_line = getattr(_micro_loop(facts, w), "lineno", w.loop.lineno)
            shown = f"`{short(bound, 40)}`"
            site: ast.AST = bound
            value = _bound(facts, bound, call) if isinstance(bound, ast.Name) else None
            if value is not None:
                # Reported where the loop's count is set (`total_steps = tokens // per_step`).
                shown += f" (= `{short(value, 50)}`)"
                site = facts.parents.get(value) or value
            message = (
                f"`{short(call.func, 40)}` is given {shown}, the bound of the micro-batch loop "
                f"(line {loop_line}), as its length, but {where}: the schedule is {k_text} "
                f"times too long; count optimizer steps: `{short(bound, 40)} // {k_text}`"
            )
            out.append(violation(facts, site, "SG205", message, (), conditions, call))
            continue
        if id(call) not in known:
            continue  # a scheduler class the linter does not know: only the loop-bound shape
        for key, expr in (
            _length_args(call) or _helper_lengths(facts, call) or _factory_lengths(facts, call)
        ):
            loader, has_div = _counts(facts, expr, call, avoid=k_names(facts, k_node, call))
            if w is None and _times_k(expr, k_node, k_text):
                # A prepared scheduler advances once per optimizer step: `* k` overcounts.
                message = (
                    f"`{key}={short(expr, 50)}` multiplies by the window length, but {where}: "
                    f"the schedule is {k_text} times too long; count optimizer steps (drop the "
                    f"`* {k_text}`)"
                )
                out.append(violation(facts, expr, "SG205", message, (), conditions, argument=key))
                continue
            if loader is None or has_div or _times_k(expr, k_node, k_text):
                continue
            shown = f"`{key}={short(expr, 50)}`"
            at: ast.AST = expr
            if isinstance(expr, (ast.Name, ast.Attribute)):
                value = _bound(facts, expr, call)
                if value is not None:
                    shown += f" (= `{short(value, 50)}`, passed on line {expr.lineno})"
                    # Reported where the micro-batches are counted: the fix goes there.
                    at = facts.parents.get(value) or value
            if isinstance(loader, ast.BinOp):  # samples // batch size: batches per epoch
                counted = f"micro-batches (`{short(loader, 50)}`)"
                fix = f"`math.ceil(batches_per_epoch / {k_text})` per epoch"
            else:
                counted = f"micro-batches of `{short(loader, 30)}`"
                fix = f"`math.ceil(len({short(loader, 30)}) / {k_text})` per epoch"
            message = (
                f"{shown} counts {counted}, but {where}: the schedule is {k_text} times too "
                f"long; count optimizer steps: {fix}"
            )
            out.append(violation(facts, at, "SG205", message, (), conditions, expr, argument=key))
    return out
