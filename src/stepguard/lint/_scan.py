"""Facts about one training script, read from its syntax tree (never imported, never executed).

`scan(source, tree)` walks the tree once (iteratively: no recursion limit on deep code) and
records what the rules need: import aliases (`from torch.optim import Adam`, `import torch.optim
as optim`), which names hold optimizers, schedulers, grad scalers, DDP models and accelerate
objects (also when they are built inside functions and returned), the same file's functions, and
character positions for messages and edits. Accumulation windows are found by `scan_windows`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from stepguard._optimizers import TORCH_OPTIMIZERS as _TORCH_OPTIMIZER_FACTS
from stepguard.lint._nodes import (
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

__all__ = [
    "CLIP_FUNCS",
    "SCHEDULER_FACTORIES",
    "TORCH_OPTIMIZERS_NAMES",
    "Facts",
    "FuncDef",
    "Loop",
    "Text",
    "assigned_names",
    "call_name",
    "children",
    "dotted",
    "has_star_kwargs",
    "kwarg",
    "last_name",
    "receiver",
    "scan",
    "short",
    "walk",
]

# The torch.optim classes, from the optimizer table shared with the audit (`stepguard._optimizers`);
# what they do with weight decay is read in `stepguard.lint._values`.
TORCH_OPTIMIZERS_NAMES = frozenset((*_TORCH_OPTIMIZER_FACTS, "Optimizer"))
# Classes of other libraries recognised as optimizers by the last part of their name.
_OTHER_OPTIMIZER = re.compile(
    r"(Adam|SGD|Lion|Lamb|LAMB|Lars|LARS|Adafactor|RMSprop|Adagrad|Sophia|Shampoo|Muon|Prodigy)"
)
_OPTIMIZER_LIBS = ("transformers", "bitsandbytes", "apex", "timm", "deepspeed", "torch_optimizer")
SCHEDULER_FACTORIES = re.compile(r"^get_\w*schedule\w*$|^get_scheduler$|^create_scheduler\w*$")
CLIP_FUNCS = ("clip_grad_norm_", "clip_grad_value_", "clip_grad_norm")
_LOSS_FUNCS = frozenset(
    (
        "cross_entropy",
        "nll_loss",
        "mse_loss",
        "l1_loss",
        "smooth_l1_loss",
        "huber_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "kl_div",
        "ctc_loss",
        "cosine_embedding_loss",
        "margin_ranking_loss",
        "triplet_margin_loss",
        "soft_margin_loss",
        "multilabel_soft_margin_loss",
        "poisson_nll_loss",
        "gaussian_nll_loss",
    )
)
_LOSS_CALLEES = frozenset(
    ("criterion", "loss_fn", "loss_fct", "loss_func", "lossfn", "loss_function", "compute_loss")
)


@dataclass
class Facts:
    """What one file says about its training code (see the module docstring)."""

    source: str
    tree: ast.Module
    text: Text
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    star_modules: list[str] = field(default_factory=list)
    functions: dict[str, list[FuncDef]] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    withs: list[ast.With | ast.AsyncWith] = field(default_factory=list)
    assigns: list[ast.Assign | ast.AnnAssign | ast.AugAssign] = field(default_factory=list)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    # Names (dotted, e.g. "optimizer", "self.opt") bound to objects of each kind -> building call.
    optimizers: dict[str, ast.Call] = field(default_factory=dict)
    optimizer_builds: list[ast.Call] = field(default_factory=list)
    schedulers: dict[str, ast.Call] = field(default_factory=dict)
    scheduler_builds: list[ast.Call] = field(default_factory=list)
    scalers: set[str] = field(default_factory=set)
    ddp_models: dict[str, ast.Call] = field(default_factory=dict)
    accelerators: set[str] = field(default_factory=set)
    prepared: set[str] = field(default_factory=set)  # names returned by accelerator.prepare(...)
    step_functions: set[str] = field(default_factory=set)  # same-file functions doing opt.step()
    unscale_functions: set[str] = field(default_factory=set)
    scaler_step_functions: set[str] = field(default_factory=set)  # ... doing scaler.step(opt)
    backward_functions: set[str] = field(default_factory=set)  # same-file functions doing backward
    loss_objects: set[str] = field(default_factory=set)  # criterion = nn.CrossEntropyLoss()
    cache: dict[str, object] = field(default_factory=dict)  # per-file results shared by rules

    # -- names -------------------------------------------------------------------------------
    def resolve(self, node: ast.AST) -> str | None:
        """Qualified name of a Name/Attribute through this file's imports, or None.

        ``optim.Adam`` with ``import torch.optim as optim`` -> ``torch.optim.Adam``; a name that no
        import binds resolves to None (except through ``from torch.optim import *``, and
        ``torch.…`` itself, so that snippets without their ``import torch`` line still resolve).
        """
        d = dotted(node)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        if head in self.aliases:
            q = self.aliases[head]
            return f"{q}.{rest}" if rest else q
        if not rest and self.star_modules:
            return f"{self.star_modules[0]}.{head}"
        if head == "torch" and rest:
            return d
        return None

    def enclosing(self, node: ast.AST, kinds: tuple[type, ...]) -> ast.AST | None:
        """The nearest ancestor of one of `kinds`, or None."""
        p = self.parents.get(node)
        while p is not None and not isinstance(p, kinds):
            p = self.parents.get(p)
        return p

    def function_of(self, node: ast.AST) -> ast.AST:
        """The function (or the module) whose body holds `node`."""
        f = self.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        return f if f is not None else self.tree

    # -- kinds of objects ---------------------------------------------------------------------
    def optimizer_class(self, call: ast.Call) -> str | None:
        """The optimizer class name when `call` builds an optimizer (``Adam``), else None."""
        q = self.resolve(call.func)
        if q is None:
            return None
        mod, _, name = q.rpartition(".")
        if mod.startswith("torch.optim") and name in TORCH_OPTIMIZERS_NAMES and name != "Optimizer":
            return name
        if (
            mod.split(".")[0] in _OPTIMIZER_LIBS
            and name[:1].isupper()
            and _OTHER_OPTIMIZER.search(name)
            and "Scheduler" not in name
        ):
            return name
        return None

    def is_optimizer(self, node: ast.AST) -> bool:
        """`node` names an optimizer: bound to a construction, prepared, or named like one."""
        d = dotted(node)
        if d is not None and d in self.optimizers:
            return True
        name = last_name(node).lower()
        if "sched" in name or "scaler" in name or "engine" in name:
            return False
        return (
            "optim" in name
            or name == "opt"
            or name.startswith("opt_")
            or name.endswith("_opt")
            or (name.startswith("opt") and name[3:].isdigit())
        )

    def is_scheduler(self, node: ast.AST) -> bool:
        """`node` names a learning-rate scheduler."""
        d = dotted(node)
        if d is not None and d in self.schedulers:
            return True
        return "sched" in last_name(node).lower()

    def is_scaler(self, node: ast.AST) -> bool:
        """`node` names a GradScaler."""
        d = dotted(node)
        return (d is not None and d in self.scalers) or "scaler" in last_name(node).lower()

    def is_accelerator(self, node: ast.AST) -> bool:
        """`node` names an accelerate ``Accelerator``."""
        d = dotted(node)
        return (d is not None and d in self.accelerators) or "accelerator" in last_name(
            node
        ).lower()

    def is_clip(self, call: ast.Call) -> bool:
        """A torch gradient-clipping function (``torch.nn.utils.clip_grad_norm_`` and aliases)."""
        if call_name(call) not in CLIP_FUNCS:
            return False
        q = self.resolve(call.func)
        return q is not None and q.startswith("torch.nn")

    def is_accelerate_clip(self, call: ast.Call) -> bool:
        """``accelerator.clip_grad_norm_(...)`` / ``clip_grad_value_``."""
        rec = receiver(call)
        return call_name(call) in CLIP_FUNCS and rec is not None and self.is_accelerator(rec)

    def is_optimizer_step(self, call: ast.Call) -> bool:
        """``optimizer.step()``, ``scaler.step(optimizer)`` or a same-file helper that steps."""
        rec = receiver(call)
        name = call_name(call)
        if name == "step" and rec is not None:
            if self.is_scaler(rec):
                return bool(call.args)
            return self.is_optimizer(rec)
        return name in self.step_functions and (
            isinstance(call.func, ast.Name) or (rec is not None and dotted(rec) in ("self", "cls"))
        )

    def is_scaler_step(self, call: ast.Call) -> bool:
        """``scaler.step(optimizer)``, or a call of a same-file helper that does it."""
        rec = receiver(call)
        name = call_name(call)
        if name == "step" and rec is not None and call.args and self.is_scaler(rec):
            return True
        return name in self.scaler_step_functions and (
            isinstance(call.func, ast.Name) or (rec is not None and dotted(rec) in ("self", "cls"))
        )

    def is_scheduler_step(self, call: ast.Call) -> bool:
        """``scheduler.step()`` (no epoch or metric argument)."""
        rec = receiver(call)
        return (
            call_name(call) == "step"
            and rec is not None
            and not call.args
            and self.is_scheduler(rec)
        )

    def is_zero_grad(self, call: ast.Call) -> bool:
        """``X.zero_grad(...)`` on anything (an optimizer or a module)."""
        return call_name(call) == "zero_grad" and receiver(call) is not None

    def backward_of(self, call: ast.Call) -> tuple[ast.expr | None, str] | None:
        """For a backward call, ``(loss expression, kind)``; None when `call` is not one.

        kind is ``"plain"`` (``loss.backward()``, ``scaler.scale(loss).backward()``) or
        ``"engine"`` (``accelerator.backward(loss)``, ``engine.backward(loss)``: the engine scales
        the loss for accumulation).
        """
        name = call_name(call)
        rec = receiver(call)
        if name == "manual_backward" and call.args:
            return call.args[0], "plain"
        if name != "backward":
            return None
        if rec is None:  # a bare backward(loss) imported from torch.autograd
            return (call.args[0] if call.args else None), "plain"
        if call.args and not isinstance(call.args[0], ast.Starred):
            rq = self.resolve(rec)
            if rq is not None and rq.startswith("torch.autograd"):
                return call.args[0], "plain"
            return call.args[0], "engine"
        if (
            isinstance(rec, ast.Call)
            and call_name(rec) == "scale"
            and rec.args
            and receiver(rec) is not None
            and self.is_scaler(receiver(rec))  # type: ignore[arg-type]
        ):
            return rec.args[0], "plain"
        return rec, "plain"

    def is_loss_source(self, node: ast.AST) -> bool:
        """An expression known to produce a per-micro-batch loss (mean over the micro-batch)."""
        if isinstance(node, ast.Attribute) and node.attr == "loss":
            return True
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "loss"
        ):
            return True
        if isinstance(node, ast.Call):
            q = self.resolve(node.func)
            name = call_name(node)
            if q is not None and q.startswith("torch.nn.functional.") and name in _LOSS_FUNCS:
                return True
            d = dotted(node.func)
            if d is not None and d in self.loss_objects:
                return True
            if name in _LOSS_CALLEES:
                return True
            if name in ("mean", "sum", "float", "squeeze") and isinstance(node.func, ast.Attribute):
                return self.is_loss_source(node.func.value)
        return False


def _bind(facts: Facts, node: ast.AST, value: ast.expr, returns: dict[str, str]) -> None:
    """Record what an assignment `targets = value` binds."""
    targets: list[str] = []
    if isinstance(node, ast.Assign):
        for tgt in node.targets:
            targets.extend(assigned_names(tgt))
    elif isinstance(node, ast.AnnAssign):
        targets.extend(assigned_names(node.target))
    if not targets:
        return
    # `x = Build(...)`, `x = await Build(...)`, `x = Build(...) if flag else other`.
    candidates = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    for call in candidates:
        while isinstance(call, ast.Await):
            call = call.value
        if isinstance(call, ast.Call):
            _bind_call(facts, targets, call, returns)


def _bind_call(facts: Facts, targets: list[str], call: ast.Call, returns: dict[str, str]) -> None:
    q = facts.resolve(call.func) or ""
    name = call_name(call)
    if facts.optimizer_class(call) is not None:
        for t in targets:
            facts.optimizers[t] = call
    elif SCHEDULER_FACTORIES.match(name) or ".lr_scheduler." in q:
        for t in targets:
            facts.schedulers[t] = call
    elif name in ("GradScaler", "ShardedGradScaler"):
        facts.scalers.update(targets)
    elif q.endswith("DistributedDataParallel") or (name == "DDP" and q):
        for t in targets:
            facts.ddp_models[t] = call
    elif name == "Accelerator":
        facts.accelerators.update(targets)
    elif name.startswith("prepare") and receiver(call) is not None:
        rec = receiver(call)
        if rec is not None and facts.is_accelerator(rec):
            facts.prepared.update(targets)
    elif q.startswith("torch.nn.") and name.endswith("Loss"):
        facts.loss_objects.update(targets)
    elif name in returns and isinstance(call.func, ast.Name | ast.Attribute):
        kind = returns[name]
        for t in targets:
            if kind == "optimizer":
                facts.optimizers[t] = call
            elif kind == "scheduler":
                facts.schedulers[t] = call


def scan(source: str, tree: ast.Module) -> Facts:
    """Collect the `Facts` of a parsed file (one iterative walk plus a few passes over lists)."""
    facts = Facts(source=source, tree=tree, text=Text(source))
    parents = facts.parents
    stack: list[ast.AST] = [tree]
    binds: list[tuple[ast.AST, ast.expr]] = []
    returns_call: list[tuple[FuncDef, ast.Call]] = []
    funcs: list[FuncDef] = []
    push = stack.append
    while stack:
        node = stack.pop()
        for child in children(node):
            parents[child] = node
            push(child)
        if type(node) in LEAVES:
            continue
        if isinstance(node, ast.Call):
            facts.calls.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            facts.assigns.append(node)
            if node.value is not None and not isinstance(node, ast.AugAssign):
                binds.append((node, node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            facts.loops.append(node)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            facts.withs.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts.functions.setdefault(node.name, []).append(node)
            funcs.append(node)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    facts.aliases[a.asname] = a.name
                else:
                    head = a.name.split(".")[0]
                    facts.aliases[head] = head
        elif isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                continue
            for a in node.names:
                if a.name == "*":
                    facts.star_modules.append(node.module)
                else:
                    facts.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            returns_call.append((node, node.value))  # type: ignore[arg-type]
    # Loops and calls in source order (the stack walk visits them in reverse-ish order).
    pos = _position
    facts.calls.sort(key=pos)
    facts.loops.sort(key=pos)
    facts.withs.sort(key=pos)
    facts.assigns.sort(key=pos)
    binds.sort(key=lambda b: pos(b[0]))
    # Functions that return an optimizer or a scheduler they build ("optimizers built in a function").
    returns: dict[str, str] = {}
    for ret, call in returns_call:
        f = facts.function_of(ret)
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if facts.optimizer_class(call) is not None:
                returns[f.name] = "optimizer"
            elif SCHEDULER_FACTORIES.match(call_name(call)) or ".lr_scheduler." in (
                facts.resolve(call.func) or ""
            ):
                returns[f.name] = "scheduler"
    for node, value in binds:
        _bind(facts, node, value, returns)
    for call in facts.calls:
        if facts.optimizer_class(call) is not None:
            facts.optimizer_builds.append(call)
        elif SCHEDULER_FACTORIES.match(call_name(call)) or ".lr_scheduler." in (
            facts.resolve(call.func) or ""
        ):
            facts.scheduler_builds.append(call)
    _helper_functions(facts, funcs)
    return facts


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _helper_functions(facts: Facts, funcs: list[FuncDef]) -> None:
    """Same-file functions that (transitively, a few levels) step an optimizer, run a backward
    or unscale gradients: ``def optimizer_step(self): self.scaler.step(self.optimizer)``."""
    steps: set[FuncDef] = set()
    backwards: set[FuncDef] = set()
    unscales: set[FuncDef] = set()
    scaler_steps: set[FuncDef] = set()
    callees: dict[FuncDef, set[str]] = {}
    for call in facts.calls:
        f = facts.function_of(call)
        if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        name = call_name(call)
        rec = receiver(call)
        if isinstance(call.func, ast.Name) or (rec is not None and dotted(rec) in ("self", "cls")):
            callees.setdefault(f, set()).add(name)
        if name == "unscale_":
            unscales.add(f)
        elif facts.backward_of(call) is not None:
            backwards.add(f)
        elif name == "step" and facts.is_optimizer_step(call):
            steps.add(f)
            if rec is not None and facts.is_scaler(rec):
                scaler_steps.add(f)
    for found, names in (
        (steps, facts.step_functions),
        (backwards, facts.backward_functions),
        (unscales, facts.unscale_functions),
        (scaler_steps, facts.scaler_step_functions),
    ):
        names.update(f.name for f in found)
        for _ in range(4):  # helpers calling helpers, a few levels deep
            more = {f.name for f in funcs if f.name not in names and callees.get(f, set()) & names}
            if not more:
                break
            names.update(more)
