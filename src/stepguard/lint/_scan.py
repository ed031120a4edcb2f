"""Facts about one training script, read from its syntax tree (never imported, never executed).

`scan(source, tree)` walks the tree once (iteratively: no recursion limit on deep code) and
records what the rules need in a `Facts` (`stepguard.lint._facts`): import aliases (``from
torch.optim import Adam``, ``import torch.optim as optim``, relative imports), which names hold
optimizers, schedulers, grad scalers, DDP models and accelerate objects (also when they are built
inside functions and returned, in this file or, in project mode, in another file of the tree), the
file's functions and classes, the helpers that step, run a backward or unscale, and character
positions for messages and edits. Accumulation windows are found by `scan_windows`.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from stepguard.lint._facts import (
    CLIP_FUNCS,
    SCHEDULER_FACTORIES,
    TORCH_OPTIMIZERS_NAMES,
    Facts,
    ProjectView,
    optimizer_name,
)
from stepguard.lint._nodes import (
    _FIELDS,
    LEAVES,
    FuncDef,
    Loop,
    Text,
    assigned_names,
    call_name,
    children,
    dotted,
    has_star_kwargs,
    kwarg,
    last_name,
    receiver,
    short,
    walk,
)
from stepguard.lint._objects import callee

__all__ = [
    "CLIP_FUNCS",
    "SCHEDULER_FACTORIES",
    "TORCH_OPTIMIZERS_NAMES",
    "Facts",
    "FuncDef",
    "Loop",
    "Text",
    "assigned_names",
    "build_kind",
    "call_name",
    "children",
    "dotted",
    "has_star_kwargs",
    "kwarg",
    "last_name",
    "might_contain_training_code",
    "receiver",
    "scan",
    "short",
    "walk",
]

# Every rule needs at least one of these in the text: an optimizer from an import of
# `torch.optim`, an explicit `weight_decay`, a backward call (every accumulation window), a
# `.step` call, gradient zeroing or clipping, or DDP's sync switches. Between a name and its `(`
# or `.`, Python allows whitespace, line continuations, closing parentheses (`(loss.backward)()`)
# and, inside brackets, comments.
_GAP = r"(?:\s|\)|\\(?:\r\n|\r|\n)|#[^\r\n]*(?:\r\n|\r|\n))*"
_PREFILTER = re.compile(
    r"\boptim\b|weight_decay|zero_grad|clip_grad|no_sync|require_backward_grad_sync"
    rf"|backward{_GAP}\(|\.{_GAP}step\b"
)


# Every alternative of `_PREFILTER` contains one of these literals; plain substring tests are ~15x
# faster than the regex and rule out most files before it runs.
_PREFILTER_WORDS = (
    "optim",
    "weight_decay",
    "zero_grad",
    "clip_grad",
    "no_sync",
    "backward",
    "step",
)


# `_PREFILTER`'s alternatives one by one: the plain words as substring tests, the others as
# patterns that start with a literal, which the regex engine finds by a fast scan. One regex of
# eight alternatives is tried at every position of the text: about 2.5x slower on a large tree.
_PLAIN_WORDS = ("weight_decay", "zero_grad", "clip_grad", "no_sync", "require_backward_grad_sync")
_OPTIM = re.compile(r"\boptim\b")
_BACKWARD = re.compile(rf"backward{_GAP}\(")
_STEP = re.compile(rf"\.{_GAP}step\b")


def might_contain_training_code(source: str) -> bool:
    """Cheap textual test (no parse): False only when no rule can fire on `source`.

    Sound by construction: `check_source` returns ``[]`` without parsing when this is False. It
    answers as ``_PREFILTER.search(source) is not None`` does (a test checks it), faster.
    """
    if not any(word in source for word in _PREFILTER_WORDS):
        return False
    if any(word in source for word in _PLAIN_WORDS):
        return True
    if "optim" in source and _OPTIM.search(source) is not None:
        return True
    if "backward" in source and _BACKWARD.search(source) is not None:
        return True
    return "step" in source and _STEP.search(source) is not None


_KINDS = ("optimizer", "scheduler", "scaler", "ddp", "accelerator")


def build_kind(facts: Facts, call: ast.Call) -> str | None:
    """What a call builds: "optimizer", "scheduler", "scaler", "ddp", "accelerator", "prepare"
    (``accelerator.prepare(...)``), "loss" (an ``nn.*Loss``), or None."""
    kinds = facts.cache.setdefault("build_kind", {})
    assert isinstance(kinds, dict)
    key = id(call)
    kind = kinds.get(key, False)
    if kind is False:
        kind = kinds[key] = _construction(facts, call)
    if kind == "prepare?":
        # Not decided once for all: it depends on which names hold an Accelerator so far.
        rec = receiver(call)
        return "prepare" if rec is not None and facts.is_accelerator(rec) else None
    return kind


def _construction(facts: Facts, call: ast.Call) -> str | None:
    name = call_name(call)
    if not name[:1].isupper():
        # Classes are capitalised: a lower-case call builds nothing we know, unless it is a
        # scheduler factory, a variable holding a class (`opt_cls = ...; opt_cls(...)`), or
        # `accelerator.prepare(...)` (decided later: it depends on the names bound so far).
        if name.startswith("prepare"):
            return "prepare?"
        if SCHEDULER_FACTORIES.match(name):
            return "scheduler"
        if (
            isinstance(call.func, (ast.Name, ast.Call, ast.Subscript))
            and facts.optimizer_class(call) is not None
        ):
            return "optimizer"
        return None
    q = facts.resolve(call.func) or ""
    if q and optimizer_name(q) is not None:
        return "optimizer"  # the common case, without the run-time choices below
    if (
        name == "ZeroRedundancyOptimizer"
        or (not q and isinstance(call.func, ast.Name))
        or (q and name[:1].isupper())
    ) and facts.optimizer_class(call) is not None:
        return "optimizer"
    if SCHEDULER_FACTORIES.match(name) or ".lr_scheduler." in q:
        return "scheduler"
    if name in ("GradScaler", "ShardedGradScaler"):
        return "scaler"
    if q.endswith("DistributedDataParallel") or (name == "DDP" and q):
        return "ddp"
    if name == "Accelerator":
        return "accelerator"
    if q.startswith("torch.nn.") and name.endswith("Loss"):
        return "loss"
    return None


def _bind(facts: Facts, node: ast.AST, value: ast.expr, helpers: bool = False) -> bool:
    """Record what an assignment `targets = value` binds; True when a call in it built nothing
    known (it may be a helper returning an optimizer, seen after `_returns`)."""
    inner = value.value if isinstance(value, ast.Await) else value
    if not isinstance(inner, (ast.Call, ast.IfExp)):
        return False
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    if not targets:
        return False
    names = [n for t in targets for n in assigned_names(t)]
    if not names:
        return False
    unknown = False
    # `x = Build(...)`, `x = await Build(...)`, `x = Build(...) if flag else other`.
    candidates = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    for call in candidates:
        while isinstance(call, ast.Await):
            call = call.value
        if isinstance(call, ast.Call):
            kinds = _call_kinds(facts, call, helpers)
            if kinds is None:
                unknown = True
                continue
            if len(kinds) == 1:
                for t in names:
                    _record(facts, t, kinds[0], call, value)
            elif len(targets) == 1 and isinstance(targets[0], (ast.Tuple, ast.List)):
                # `opt, sched = build(...)`: position by position.
                for elt, kind in zip(targets[0].elts, kinds, strict=False):
                    d = dotted(elt)
                    if d is not None and kind is not None:
                        _record(facts, d, kind, call, value)
    return unknown


def _call_kinds(facts: Facts, call: ast.Call, helpers: bool) -> tuple[str | None, ...] | None:
    kind = build_kind(facts, call)
    if kind is not None:
        return (kind,)
    if helpers and isinstance(call.func, (ast.Name, ast.Attribute)):
        found = callee(facts, call)
        if found is not None:
            owner, func = found
            kinds = owner.returns.get(func.name)
            if kinds is not None:
                return kinds
    return None


def _record(facts: Facts, target: str, kind: str | None, call: ast.Call, value: ast.expr) -> None:
    if kind == "optimizer":
        facts.optimizers[target] = call
    elif kind == "scheduler":
        facts.schedulers[target] = call
    elif kind == "scaler":
        facts.scalers.add(target)
        facts.scaler_builds[target] = value
    elif kind == "ddp":
        facts.ddp_models[target] = call
    elif kind == "accelerator":
        facts.accelerators.add(target)
        facts.accelerator_builds[target] = call
    elif kind == "prepare":
        facts.prepared.add(target)
    elif kind == "loss":
        reduction = kwarg(call, "reduction")
        if isinstance(reduction, ast.Constant) and reduction.value in ("sum", "none"):
            facts.sum_losses.add(target)
        else:
            facts.loss_objects.add(target)


# What the walk records, by node type (a dict lookup beats a chain of isinstance checks).
_NODE_KINDS: dict[type, int] = {
    ast.Call: 1,
    ast.Assign: 2,
    ast.AnnAssign: 2,
    ast.AugAssign: 2,
    ast.For: 3,
    ast.AsyncFor: 3,
    ast.While: 3,
    ast.With: 4,
    ast.AsyncWith: 4,
    ast.FunctionDef: 5,
    ast.AsyncFunctionDef: 5,
    ast.ClassDef: 6,
    ast.Import: 7,
    ast.ImportFrom: 8,
    ast.Return: 9,
}


def scan(
    source: str, tree: ast.Module, path: str = "<string>", project: ProjectView | None = None
) -> Facts:
    """Collect the `Facts` of a parsed file (one iterative walk plus a few passes over lists).

    With a `project`, names imported from other files of the linted tree and methods inherited
    from its classes resolve there (`stepguard.lint._project`).
    """
    facts = Facts(source=source, tree=tree, text=Text(source), path=path, project=project)
    if project is not None:
        project.adopt(path, facts)
    parents = facts.parents
    stack: list[ast.AST] = [tree]
    binds: list[tuple[ast.AST, ast.expr]] = []
    returns_value: list[tuple[ast.Return, ast.expr]] = []
    funcs: list[FuncDef] = []
    push = stack.append
    leaves = LEAVES
    kinds = _NODE_KINDS
    fields_of = _FIELDS
    node_type = ast.AST
    calls_append = facts.calls.append
    while stack:
        node: Any = stack.pop()
        t = type(node)
        if t in leaves:
            continue  # names and constants: no children, nothing to record
        fields = fields_of.get(t)
        if fields is None:
            children(node)  # fills the field table for this node type
            fields = fields_of[t]
        for name in fields:  # the children, inline (this loop runs for every node)
            value = getattr(node, name, None)
            if value.__class__ is list:
                for v in value:
                    if isinstance(v, node_type):
                        parents[v] = node
                        push(v)
            elif isinstance(value, node_type):
                parents[value] = node
                push(value)
        role = kinds.get(t)
        if role is None:
            continue
        if role == 1:
            calls_append(node)
        elif role == 2:
            facts.assigns.append(node)
            if node.value is not None and t is not ast.AugAssign:
                binds.append((node, node.value))
        elif role == 3:
            facts.loops.append(node)
        elif role == 4:
            facts.withs.append(node)
        elif role == 5:
            facts.functions.setdefault(node.name, []).append(node)
            funcs.append(node)
        elif role == 6:
            facts.classes.setdefault(node.name, []).append(node)
        elif role == 7:
            for a in node.names:
                if a.asname:
                    facts.aliases[a.asname] = a.name
                else:
                    head = a.name.split(".")[0]
                    facts.aliases[head] = head
        elif role == 8:
            base = "." * node.level + (node.module or "")
            if not base:
                continue
            for a in node.names:
                if a.name == "*":
                    if not node.level:
                        facts.star_modules.append(base)
                elif node.level and not node.module:
                    facts.aliases[a.asname or a.name] = f"{base}{a.name}"
                else:
                    facts.aliases[a.asname or a.name] = f"{base}.{a.name}"
        elif role == 9 and node.value is not None:
            returns_value.append((node, node.value))
    # Loops and calls in source order (the stack walk visits them in reverse-ish order).
    pos = _position
    facts.calls.sort(key=pos)
    facts.loops.sort(key=pos)
    facts.withs.sort(key=pos)
    facts.assigns.sort(key=pos)
    binds.sort(key=lambda b: pos(b[0]))
    # Two rounds: what constructions bind, then what functions return ("optimizers built in a
    # function", also in another module), then the names bound to those functions' results.
    again = [(node, value) for node, value in binds if _bind(facts, node, value)]
    _returns(facts, returns_value)
    if facts.returns or facts.project is not None:
        for node, value in again:
            _bind(facts, node, value, helpers=True)
    for call in facts.calls:
        kind = build_kind(facts, call)
        if kind == "optimizer":
            facts.optimizer_builds.append(call)
        elif kind == "scheduler":
            facts.scheduler_builds.append(call)
    _helper_functions(facts, funcs)
    return facts


def _returns(facts: Facts, returns_value: list[tuple[ast.Return, ast.expr]]) -> None:
    """Functions that return an object they build (directly, or a name bound to it)."""
    kinds_of: dict[str, dict[str, Any]] = {
        "optimizer": facts.optimizers,
        "scheduler": facts.schedulers,
        "ddp": facts.ddp_models,
        "accelerator": facts.accelerator_builds,
        "scaler": facts.scaler_builds,
    }

    def kind(value: ast.expr) -> str | None:
        if isinstance(value, ast.Call):
            k = build_kind(facts, value)
            return k if k in _KINDS else None
        d = dotted(value)
        if d is None:
            return None
        for k, table in kinds_of.items():
            if d in table:
                return k
        return None

    for ret, value in returns_value:
        f = facts.function_of(ret)
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(value, ast.Tuple):
            kinds = tuple(kind(e) for e in value.elts)
            if any(kinds):
                facts.returns.setdefault(f.name, kinds)
        else:
            k = kind(value)
            if k is not None:
                facts.returns.setdefault(f.name, (k,))


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _flag(facts: Facts, func: FuncDef, call: ast.Call) -> str | None:
    """The parameter of `func` that decides whether `call` runs (``if update_grad: ...``)."""
    a = func.args
    params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    for _, test, truth in facts.branches(call):
        if not truth:
            continue
        names = [n.id for n in walk(test) if isinstance(n, ast.Name) and n.id in params]
        if names and not isinstance(test, ast.Compare):
            return names[0]
    return None


def _window_arg(call: ast.Call) -> bool:
    """The call passes a window test (``update_grad=(i + 1) % k == 0``): worth resolving."""
    for a in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(a, ast.Compare):
            for n in walk(a.left):
                if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod):
                    return True
    return False


_HELPER_CALLS = frozenset(("unscale_", "backward", "manual_backward", "step"))


def _unseen_loss_scaler(facts: Facts, call: ast.Call) -> bool:
    """``loss_scaler(loss, optimizer, ..., update_grad=(i + 1) % k == 0)`` on an object whose
    class is not in the linted tree (``from util.misc import NativeScalerWithGradNormCount``
    with ``util/`` left out): the loss scaler of the MAE / BEiT / ConvNeXt engines, which runs
    the backward on every call and steps the optimizer when ``update_grad`` is true. Read so
    only with that keyword given a window test, the loss first and an optimizer second."""
    update = kwarg(call, "update_grad")
    if update is None or not _window_arg(call) or len(call.args) < 2:
        return False
    if not (isinstance(update, ast.Compare) and isinstance(call.func, ast.Name)):
        return False
    return facts.is_optimizer(call.args[1]) and "loss" in ast.unparse(call.args[0]).lower()


def _helper_functions(facts: Facts, funcs: list[FuncDef]) -> None:
    """Functions that (transitively, a few levels) step an optimizer, run a backward or unscale
    gradients: ``def optimizer_step(self): self.scaler.step(self.optimizer)``; and those that
    step only when a parameter says so (``def __call__(self, loss, opt, update_grad): ...
    if update_grad: scaler.step(opt)``: `Facts.flag_step_functions`). Helpers imported from, or
    inherited from a class of, another file of the tree count too, and so does the ``__call__``
    of an object passed a window test."""
    steps: set[FuncDef] = set()
    backwards: set[FuncDef] = set()
    unscales: set[FuncDef] = set()
    scaler_steps: set[FuncDef] = set()
    callees: dict[FuncDef, set[str]] = {}
    tables = (
        (steps, facts.step_functions, "step_functions"),
        (backwards, facts.backward_functions, "backward_functions"),
        (unscales, facts.unscale_functions, "unscale_functions"),
        (scaler_steps, facts.scaler_step_functions, "scaler_step_functions"),
    )
    elsewhere: list[ast.Call] = []
    for call in facts.calls:
        name = call_name(call)
        rec = receiver(call)
        local_form = isinstance(call.func, ast.Name) or (
            isinstance(rec, ast.Name) and rec.id in ("self", "cls")
        )
        if local_form and name not in facts.functions:
            elsewhere.append(call)
        if not local_form and name not in _HELPER_CALLS:
            continue  # `x.foo(...)`: neither a helper call nor a step, backward or unscale
        f = facts.function_of(call)
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if local_form:
            callees.setdefault(f, set()).add(name)
        if name == "unscale_":
            unscales.add(f)
        elif facts.backward_of(call) is not None:
            backwards.add(f)
        elif name == "step" and facts.is_optimizer_step(call):
            flag = _flag(facts, f, call)
            if flag is not None:
                facts.flag_step_functions[f.name] = flag
            else:
                steps.add(f)
            if rec is not None and facts.is_scaler(rec):
                scaler_steps.add(f)
    for found_set, names, _ in tables:
        names.update(f.name for f in found_set)
    # Helpers defined elsewhere (another file, a base class, an object's class).
    for call in elsewhere:
        found = callee(facts, call, objects=_window_arg(call))
        if found is None:
            if _unseen_loss_scaler(facts, call):
                name = call_name(call)
                facts.flag_step_functions.setdefault(name, "update_grad")
                facts.backward_functions.add(name)
            continue
        owner, func = found
        name = call_name(call)
        for _, names, attr in tables:
            if func.name in getattr(owner, attr):
                names.add(name)
        if func.name in owner.flag_step_functions:
            facts.flag_step_functions.setdefault(name, owner.flag_step_functions[func.name])
    for _, names, _ in tables:
        for _ in range(4):  # helpers calling helpers, a few levels deep
            more = {f.name for f in funcs if f.name not in names and callees.get(f, set()) & names}
            if not more:
                break
            names.update(more)
