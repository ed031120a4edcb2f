"""`Facts`: what one training script says, read from its syntax tree (never imported or run).

`stepguard.lint._scan.scan` fills a `Facts` in one walk; the methods here answer the rules'
questions about names: what a name refers to through the file's imports, which objects are
optimizers, schedulers, grad scalers, DDP models or accelerate objects, which calls step, clip,
zero gradients or run a backward, and where a called helper is defined (this file, a base class,
or in project mode another file of the linted tree).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Protocol

from stepguard.lint._names import (
    CLIP_FUNCS,
    LOSS_CALLEES,
    LOSS_FUNCS,
    OTHER_OPTIMIZER,
    SCHEDULER_FACTORIES,
    TORCH_OPTIMIZERS_NAMES,
    defines_optimizer,
    optimizer_name,
)
from stepguard.lint._nodes import FuncDef, Loop, Text, call_name, dotted, last_name, receiver

# (class name, qualified name, the test that picks it or None, whether that test must be true)
OptimizerChoice = tuple[str, str, "ast.expr | None", bool]

__all__ = [
    "CLIP_FUNCS",
    "SCHEDULER_FACTORIES",
    "TORCH_OPTIMIZERS_NAMES",
    "Facts",
    "OptimizerChoice",
    "ProjectView",
]


class ProjectView(Protocol):
    """What `Facts` asks of the linted tree in project mode (`stepguard.lint._project.Project`)."""

    files: tuple[str, ...]
    cache: dict[Any, Any]
    settings: Any  # stepguard.lint._settings.Settings, made before the rules run

    def lookup(
        self, facts: Facts, qualified: str, depth: int = 0, training: bool = False
    ) -> tuple[Facts, ast.AST] | None:
        """The definition a qualified name of `facts`'s file refers to, in the tree."""

    def method(
        self,
        facts: Facts,
        cls: ast.ClassDef,
        name: str,
        depth: int = 0,
        training: bool = False,
    ) -> tuple[Facts, ast.AST] | None:
        """Method `name` of `cls` or of its bases defined in the tree."""

    def adopt(self, path: str, facts: Facts) -> None:
        """Share the facts of `path` with the rest of the tree."""

    def text(self, path: str) -> str | None:
        """The text of a file of the tree."""

    def bases(
        self, facts: Facts, cls: ast.ClassDef, training: bool = False
    ) -> list[tuple[Facts, ast.ClassDef]]:
        """The base classes of `cls` defined in the tree."""

    def definitions(self, path: str) -> Facts | None:
        """The scanned facts of a file of the tree, for its definitions."""


@dataclass
class Facts:
    """What one file says about its training code (see the module docstring)."""

    source: str
    tree: ast.Module
    text: Text
    path: str = "<string>"
    project: ProjectView | None = None  # the linted tree, in project mode
    # local name -> qualified name; relative imports keep their dots (``from .m import f`` -> ".m.f")
    aliases: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)
    functions: dict[str, list[FuncDef]] = field(default_factory=dict)
    classes: dict[str, list[ast.ClassDef]] = field(default_factory=dict)
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
    scaler_builds: dict[str, ast.expr] = field(default_factory=dict)  # name -> bound expression
    ddp_models: dict[str, ast.Call] = field(default_factory=dict)
    accelerators: set[str] = field(default_factory=set)
    accelerator_builds: dict[str, ast.Call] = field(default_factory=dict)
    # Functions returning what they build: name -> kind per returned position ("optimizer", ...).
    returns: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    prepared: set[str] = field(default_factory=set)  # names returned by accelerator.prepare(...)
    step_functions: set[str] = field(default_factory=set)  # same-file functions doing opt.step()
    unscale_functions: set[str] = field(default_factory=set)
    scaler_step_functions: set[str] = field(default_factory=set)  # ... doing scaler.step(opt)
    flag_step_functions: dict[str, str] = field(default_factory=dict)  # step under `if <param>:`
    backward_functions: set[str] = field(default_factory=set)  # same-file functions doing backward
    loss_objects: set[str] = field(default_factory=set)  # criterion = nn.CrossEntropyLoss()
    sum_losses: set[str] = field(default_factory=set)  # ... built with reduction="sum" / "none"
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

    def branches(self, node: ast.AST) -> list[tuple[ast.If, ast.expr, bool]]:
        """The ``if`` blocks around `node` in its function, innermost first: (the ``if``, its
        test, whether `node` is in its body)."""
        out: list[tuple[ast.If, ast.expr, bool]] = []
        child: ast.AST = node
        parent = self.parents.get(node)
        while parent is not None and not isinstance(
            parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        ):
            if isinstance(parent, ast.If) and child is not parent.test:
                out.append((parent, parent.test, any(s is child for s in parent.body)))
            child, parent = parent, self.parents.get(parent)
        return out

    def class_of(self, node: ast.AST) -> ast.ClassDef | None:
        """The class whose method holds `node`, or None."""
        c = self.enclosing(node, (ast.ClassDef,))
        return c if isinstance(c, ast.ClassDef) else None

    # -- kinds of objects ---------------------------------------------------------------------
    def optimizer_class(self, call: ast.Call) -> str | None:
        """The optimizer class name when `call` builds an optimizer (``Adam``), else None; for a
        class chosen at run time (`optimizer_choices`), the first choice's."""
        choices = self.optimizer_choices(call)
        return choices[0][0] if choices else None

    def optimizer_choices(self, call: ast.Call) -> list[OptimizerChoice]:
        """The optimizer classes `call` may build, each with the test that picks it: one for
        ``torch.optim.Adam(...)``; the ``optimizer_class=`` of a ``ZeroRedundancyOptimizer``;
        both branches of ``cls = A if cond else B`` ... ``cls(...)`` (``(name, qualified name,
        test or None, whether the test must be true)``). Empty when it builds no optimizer."""
        if call_name(call) == "ZeroRedundancyOptimizer":
            inner = next((k.value for k in call.keywords if k.arg == "optimizer_class"), None)
            if inner is None and len(call.args) > 1:
                inner = call.args[1]
            return self._class_choices(inner, call) if inner is not None else []
        return self._class_choices(call.func, call)

    def _class_choices(self, node: ast.expr, at: ast.AST, depth: int = 0) -> list[OptimizerChoice]:
        if isinstance(node, ast.Call):
            inner = (
                partial_class(node) or config_bound_class(self, node) or wrapped_class(self, node)
            )
            if inner is not None:
                return self._class_choices(inner, node, depth + 1) if depth < 3 else []
            return getattr_choices(self, node) or factory_choices(self, node, depth)
        if isinstance(node, ast.Subscript):
            return registry_choices(self, node, depth)
        if (
            isinstance(node, ast.Name)
            and node.id not in self.aliases
            and node.id not in self.classes
            and not self.star_modules
            and not self._assignments_of(node.id)
        ):
            default = self.parameter_default(node.id, at)
            if default is not None and depth < 3:
                # ``def __init__(self, model, optimizer_fn=torch.optim.Adam, ...)``: the class the
                # function builds when its caller passes none
                return self._class_choices(default, default, depth + 1)
            return []  # a plain function or a builtin: no class to choose
        q = self.resolve(node)
        if q is not None:
            name = optimizer_name(q)
            last = q.rpartition(".")[2]
            if (
                name is None
                and self.project is not None
                and not q.startswith("torch")
                and last[:1].isupper()
                and (OTHER_OPTIMIZER.search(last) or last.endswith("Optimizer"))
            ):
                found = self.project.lookup(self, q, training=True)
                if found is not None and isinstance(found[1], ast.ClassDef):
                    name = found[1].name if defines_optimizer(found[1]) else None
                elif found is None and _optimizer_module(q) and OTHER_OPTIMIZER.search(last):
                    # a project's own optimizers module outside the linted tree
                    # (``from common.optimizers import Novograd``)
                    name = last
            return [(name, q, None, True)] if name else []
        if not isinstance(node, ast.Name) or depth > 2:
            return []
        local = self.classes.get(node.id, [])
        if len(local) == 1 and node.id not in self.aliases:
            cls = local[0]
            return [(cls.name, cls.name, None, True)] if defines_optimizer(cls) else []
        out: list[OptimizerChoice] = []
        value = self.local_value(node.id, at)
        if isinstance(value, ast.IfExp):
            out += [
                (n, qn, value.test, True)
                for n, qn, _, _ in self._class_choices(value.body, value, depth + 1)
            ]
            out += [
                (n, qn, value.test, False)
                for n, qn, _, _ in self._class_choices(value.orelse, value, depth + 1)
            ]
            return out
        if isinstance(value, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
            return self._class_choices(value, value, depth + 1)
        if value is not None:
            return []
        # Assigned in the branches of an `if` statement: each branch's class, with its test.
        scope = self.function_of(at)
        for assign in self._assignments_of(node.id):
            if self.function_of(assign) is not scope or not isinstance(assign, ast.Assign):
                continue
            branches = self.branches(assign)
            test, truth = (branches[0][1], branches[0][2]) if branches else (None, True)
            for n, qn, _, _ in self._class_choices(assign.value, assign, depth + 1):
                out.append((n, qn, test, truth))
        return out

    def parameter_default(self, name: str, at: ast.AST) -> ast.expr | None:
        """The default of parameter `name` of the function enclosing `at`, else None."""
        scope = self.function_of(at)
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        args = scope.args
        pos = [*args.posonlyargs, *args.args]
        pairs = [
            *zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]
        return next((d for a, d in pairs if a.arg == name and d is not None), None)

    def _assignments_of(self, name: str) -> list[ast.AST]:
        """Every assignment (plain, annotated, augmented) to the bare name `name`, any scope."""
        cached = self.cache.get("assign_index")
        index: dict[str, list[ast.AST]]
        if isinstance(cached, dict):
            index = cached
        else:
            index = {}
            for node in self.assigns:
                if isinstance(node, ast.Assign) and node.value is not None:
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            index.setdefault(t.id, []).append(node)
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(
                    node.target, ast.Name
                ):
                    index.setdefault(node.target.id, []).append(node)
            self.cache["assign_index"] = index
        return index.get(name, [])

    def local_value(self, name: str, at: ast.AST) -> ast.expr | None:
        """The value of the single plain assignment ``name = value`` in the function enclosing
        `at`, else at module level; None when there is none or several."""
        found = self._assignments_of(name)
        if not found:
            return None
        scope = self.function_of(at)
        for where in (scope, self.tree) if scope is not self.tree else (self.tree,):
            here = [n for n in found if self.function_of(n) is where]
            if len(here) == 1 and isinstance(here[0], (ast.Assign, ast.AnnAssign)):
                return here[0].value
            if here:
                return None
        return None

    def is_optimizer(self, node: ast.AST) -> bool:
        """`node` names an optimizer: bound to a construction, prepared, or named like one."""
        d = dotted(node)
        if d is not None and (d in self.optimizers or d in self._optimizer_holders()):
            return True
        name = last_name(node).lower()
        if "sched" in name or "scaler" in name or "engine" in name:
            return False
        if (
            "optim" in name
            or name == "opt"
            or name.startswith("opt_")
            or name.endswith("_opt")
            or (name.startswith("opt") and name[3:].isdigit())
        ):
            return True
        return isinstance(node, ast.Name) and self._iterates_optimizers(node)

    def _optimizer_holders(self) -> set[str]:
        """Objects that hand out the optimizer they step (``updater.get_optimizer()``): an
        optimizer wrapper whose ``step(...)`` steps it."""
        cached = self.cache.get("optimizer_holders")
        if isinstance(cached, set):
            return cached
        out: set[str] = set()
        if "get_optimizer" in self.source:
            for call in self.calls:
                if call_name(call) == "get_optimizer" and not call.args:
                    rec = receiver(call)
                    d = dotted(rec) if rec is not None else None
                    if d is not None and d not in ("self", "cls"):
                        out.add(d)
        self.cache["optimizer_holders"] = out
        return out

    def _iterates_optimizers(self, node: ast.Name) -> bool:
        """`node` is the variable of a loop over optimizers: ``for opt in opts:``, ``for o, s in
        zip(opts, scheds):`` with ``opts = [adamw, muon]`` or a name like ``optimizers``."""
        loop = self.enclosing(node, (ast.For, ast.AsyncFor, ast.comprehension))
        while loop is not None:
            target = loop.target  # type: ignore[attr-defined]
            it = loop.iter  # type: ignore[attr-defined]
            pairs: list[tuple[ast.expr, ast.expr]] = [(target, it)]
            if (
                isinstance(it, ast.Call)
                and call_name(it) == "zip"
                and isinstance(target, ast.Tuple)
                and len(target.elts) == len(it.args)
            ):
                pairs = list(zip(target.elts, it.args, strict=True))
            for t, source in pairs:
                if isinstance(t, ast.Name) and t.id == node.id:
                    return self._optimizer_collection(source, loop)
            loop = self.enclosing(loop, (ast.For, ast.AsyncFor, ast.comprehension))
        return False

    def _optimizer_collection(self, node: ast.expr, at: ast.AST) -> bool:
        if isinstance(node, (ast.List, ast.Tuple)):
            return bool(node.elts) and all(self.is_optimizer(e) for e in node.elts)
        if isinstance(node, ast.Name):
            value = self.local_value(node.id, at)
            if isinstance(value, (ast.List, ast.Tuple)):
                return self._optimizer_collection(value, value)
        name = last_name(node).lower()
        return name in ("opts", "optimizers", "optims") or name.endswith("_optimizers")

    def is_scheduler(self, node: ast.AST) -> bool:
        """`node` names a learning-rate scheduler, or the variable of a loop over a list of
        them (``for lrs in lr_schedulers: lrs.step()``)."""
        d = dotted(node)
        if d is not None and d in self.schedulers:
            return True
        if "sched" in last_name(node).lower():
            return True
        return isinstance(node, ast.Name) and node.id in self._scheduler_loop_names()

    def _scheduler_loop_names(self) -> frozenset[str]:
        """The names that are the one target of a ``for`` loop over a name or attribute that
        names schedulers (``for lrs in lr_schedulers:``, ``for s in self.schedulers:``)."""
        cached = self.cache.get("scheduler_loop_names")
        if isinstance(cached, frozenset):
            return cached
        out: set[str] = set()
        for loop in self.loops:
            if (
                isinstance(loop, (ast.For, ast.AsyncFor))
                and isinstance(loop.target, ast.Name)
                and isinstance(loop.iter, (ast.Name, ast.Attribute))
                and "sched" in last_name(loop.iter).lower()
            ):
                out.add(loop.target.id)
        found = frozenset(out)
        self.cache["scheduler_loop_names"] = found
        return found

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
        """``optimizer.step()``, ``scaler.step(optimizer)`` or a same-file helper that steps;
        also ``optimizer.step_and_update_lr()``, the step of the scheduled-optimizer wrapper
        Transformer and FastSpeech code bases write (it steps the optimizer it wraps)."""
        rec = receiver(call)
        name = call_name(call)
        if name == "step" and rec is not None:
            if self.is_scaler(rec):
                return bool(call.args)
            return self.is_optimizer(rec)
        if name == "step_and_update_lr" and rec is not None:
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
        """``scheduler.step()`` with no argument: a scheduler given the epoch, a metric or its
        position (``step(cur_epoch=e, cur_step=i)``) computes the rate from them."""
        rec = receiver(call)
        return (
            call_name(call) == "step"
            and rec is not None
            and not call.args
            and not call.keywords
            and self.is_scheduler(rec)
        )

    def is_zero_grad(self, call: ast.Call) -> bool:
        """``X.zero_grad(...)`` on anything (an optimizer or a module)."""
        return call_name(call) == "zero_grad" and receiver(call) is not None

    def backward_of(self, call: ast.Call) -> tuple[ast.expr | None, str] | None:
        """For a backward call, ``(loss expression, kind)``; None when `call` is not one.

        kind is ``"plain"`` (``loss.backward()``, ``scaler.scale(loss).backward()``),
        ``"accelerate"`` (``accelerator.backward(loss)``: it divides by the Accelerator's
        ``gradient_accumulation_steps``, 1 unless given) or ``"engine"``
        (``engine.backward(loss)``: DeepSpeed scales the loss for accumulation).
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
            if self.is_accelerator(rec):
                return call.args[0], "accelerate"
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
            if q is not None and q.startswith("torch.nn.functional.") and name in LOSS_FUNCS:
                return True
            inner = node.func
            if isinstance(inner, ast.Call) and call_name(inner).endswith("Loss"):
                # `nn.MSELoss()(pred, y)`: a loss module built and called at once (mean unless
                # its reduction says otherwise).
                iq = self.resolve(inner.func) or ""
                reduction = next((k.value for k in inner.keywords if k.arg == "reduction"), None)
                return iq.startswith("torch.nn") and not (
                    isinstance(reduction, ast.Constant) and reduction.value in ("sum", "none")
                )
            d = dotted(node.func)
            if d is not None and d in self.loss_objects:
                return True
            if name in LOSS_CALLEES:
                return True
            if name in ("mean", "sum", "float", "squeeze") and isinstance(node.func, ast.Attribute):
                return self.is_loss_source(node.func.value)
        return False


def _optimizer_module(q: str) -> bool:
    """`q`'s module is an optimizers module by its name (``common.optimizers.Novograd``,
    ``utils.optim.Lamb``), or a module of a package named after the optimizer class it holds
    (``cs336_basics.adamw.AdamW``, a top-level ``lamb.Lamb`` beside the script)."""
    parts = q.split(".")
    if len(parts) > 1 and parts[-2].replace("_", "") == parts[-1].lower():
        return True  # a module named after its one class (``cs336_basics.adamw.AdamW``)
    return any(p in ("optim", "optims", "optimizer", "optimizers") for p in parts[:-1])


def getattr_choices(facts: Facts, node: ast.Call) -> list[OptimizerChoice]:
    """The classes ``getattr(torch.optim, name[, default])`` may return, each with the test that
    picks it: the names an enclosing ``if name in {"Adam", "AdamW"}:`` / ``if name == "Adam":``
    allows (a name that is no torch.optim class falls back to the default). Empty when no such
    test bounds the name (any class could come back: nothing is claimed)."""
    if not (
        isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) in (2, 3)
        and not node.keywords
    ):
        return []
    module = facts.resolve(node.args[0])
    if module not in ("torch.optim", "torch.optim.optimizer"):
        return []
    key = node.args[1]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        allowed = [key.value]
    else:
        allowed = []
        for _, guard, truth in facts.branches(node):
            allowed = _names_allowed(guard, key) if truth else []
            if allowed:
                break
    out: list[OptimizerChoice] = []
    for text in allowed:
        name = optimizer_name(f"torch.optim.{text}")
        q = f"torch.optim.{text}"
        if name is None and len(node.args) == 3:
            q = facts.resolve(node.args[2]) or ""
            name = optimizer_name(q)
        if name is None:
            continue
        test: ast.expr | None = None
        if not isinstance(key, ast.Constant):
            test = ast.copy_location(
                ast.Compare(
                    left=key,
                    ops=[ast.Eq()],
                    comparators=[ast.copy_location(ast.Constant(value=text), key)],
                ),
                key,
            )
            facts.parents[test] = node  # so the test is read in the scope of the call
        out.append((name, q, test, True))
    return out


def registry_choices(facts: Facts, node: ast.Subscript, depth: int) -> list[OptimizerChoice]:
    """The classes ``OPTIMIZERS[key]`` may be, for a dict literal of optimizer classes bound once
    (``{"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}``), each with the test
    ``key == "adam"`` that picks it (none for a constant key)."""
    table = node.value
    if isinstance(table, ast.Name):
        table = facts.local_value(table.id, node)  # type: ignore[assignment]
    if not isinstance(table, ast.Dict) or depth > 2:
        return []
    key = node.slice
    out: list[OptimizerChoice] = []
    for k, v in zip(table.keys, table.values, strict=True):
        if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
            return []  # a `**` spread or a computed key: the table is not all visible
        if isinstance(key, ast.Constant) and key.value != k.value:
            continue
        for name, q, _, _ in facts._class_choices(v, v, depth + 1):
            test: ast.expr | None = None
            if not isinstance(key, ast.Constant):
                test = ast.copy_location(
                    ast.Compare(
                        left=key,
                        ops=[ast.Eq()],
                        comparators=[ast.copy_location(ast.Constant(value=k.value), key)],
                    ),
                    key,
                )
                facts.parents[test] = node
            out.append((name, q, test, True))
    return out


def partial_class(node: ast.Call) -> ast.expr | None:
    """The class ``functools.partial(cls, lr=..., weight_decay=...)`` binds, when every argument
    it binds is a plain keyword other than a decoupling flag; else None."""
    if call_name(node) != "partial" or not node.args or isinstance(node.args[0], ast.Starred):
        return None
    if len(node.args) > 1 or any(
        k.arg is None or k.arg == "decoupled_weight_decay" for k in node.keywords
    ):
        return None
    return node.args[0]


def config_bound_class(facts: Facts, node: ast.Call) -> ast.expr | None:
    """The class ``argbind.bind(torch.optim.AdamW, "generator", ...)`` binds to a config: calls
    of the result build that class with the keyword arguments the project's config files (or
    command line) give under its name (``AdamW.lr: 1e-4``, ``generator/AdamW.lr``); else None."""
    if call_name(node) != "bind" or not node.args or isinstance(node.args[0], ast.Starred):
        return None
    q = facts.resolve(node.func) or ""
    if not q.startswith("argbind."):
        return None
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[1:]):
        return None
    return node.args[0]


def wrapped_class(facts: Facts, node: ast.Call) -> ast.expr | None:
    """The class argument of a call to a same-file function that returns that class or a subclass
    of it made with ``type(name, (cls,), {...})`` on every path (Detectron2's
    ``maybe_add_gradient_clipping(cfg, torch.optim.SGD)``), else None."""
    if not isinstance(node.func, ast.Name) or node.keywords:
        return None
    defs = facts.functions.get(node.func.id, [])
    if len(defs) != 1 or facts.class_of(defs[0]) is not None:
        return None
    func = defs[0]
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    returned: set[str] = set()
    for ret in ast.walk(func):
        if not isinstance(ret, ast.Return) or facts.function_of(ret) is not func:
            continue
        value = ret.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "type"
            and len(value.args) == 3
            and isinstance(value.args[1], ast.Tuple)
            and len(value.args[1].elts) == 1
        ):
            value = value.args[1].elts[0]
        if not isinstance(value, ast.Name) or value.id not in params:
            return None
        returned.add(value.id)
    if len(returned) != 1:
        return None
    index = params.index(returned.pop())
    if index >= len(node.args) or isinstance(node.args[index], ast.Starred):
        return None
    return node.args[index]


def factory_choices(facts: Facts, node: ast.Call, depth: int) -> list[OptimizerChoice]:
    """The classes a same-file factory returns (``def get_optimizer_cls(name): if name ==
    "adam": return torch.optim.Adam ...``), each with the ``if`` test around its ``return`` (read
    in the factory, whose parameters follow the call); empty when a ``return`` returns something
    else or an unconditional ``return`` follows conditional ones."""
    if not isinstance(node.func, ast.Name) or depth > 2:
        return []
    defs = facts.functions.get(node.func.id, [])
    if not defs and facts.project is not None and node.func.id in facts.aliases:
        # ``from optimizers import get_optimizer``: the factory of another file of the tree,
        # read in that file (its tests name only its own parameters)
        q = facts.aliases[node.func.id]
        symbol = facts.project.lookup(facts, q, training=True)
        if (
            symbol is not None
            and isinstance(symbol[1], (ast.FunctionDef, ast.AsyncFunctionDef))
            and symbol[0] is not facts
        ):
            other = symbol[0]
            stand_in = ast.Call(
                func=ast.Name(id=symbol[1].name, ctx=ast.Load()), args=[], keywords=[]
            )
            return factory_choices(other, ast.copy_location(stand_in, node), depth)
        return []
    if len(defs) != 1 or facts.class_of(defs[0]) is not None:
        return []
    func = defs[0]
    returns = [
        r for r in ast.walk(func) if isinstance(r, ast.Return) and facts.function_of(r) is func
    ]
    if not returns or len(returns) > 12:
        return []
    out: list[OptimizerChoice] = []
    for ret in returns:
        if ret.value is None:
            return []
        found = facts._class_choices(ret.value, ret, depth + 1)
        if not found:
            return []
        branches = facts.branches(ret)
        if not branches and len(returns) > 1:
            return []  # a fall-through return: its condition is the others' failing
        test, truth = (branches[0][1], branches[0][2]) if branches else (None, True)
        for name, q, inner, polarity in found:
            out.append(
                (
                    name,
                    q,
                    inner if inner is not None else test,
                    polarity if inner is not None else truth,
                )
            )
    return out


def _names_allowed(test: ast.expr, key: ast.expr) -> list[str]:
    """The strings `test` allows `key` to equal: ``key in {"a", "b"}``, ``key == "a"``."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return []
    if dotted(test.left) is None or dotted(test.left) != dotted(key):
        return []
    op, right = test.ops[0], test.comparators[0]
    if isinstance(op, ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, str):
        return [right.value]
    if isinstance(op, ast.In) and isinstance(right, (ast.Set, ast.List, ast.Tuple)):
        names = [e.value for e in right.elts if isinstance(e, ast.Constant)]
        if len(names) == len(right.elts) and all(isinstance(n, str) for n in names):
            return [str(n) for n in names]
    return []


def method_of(
    facts: Facts, cls: ast.ClassDef, name: str, depth: int, training: bool = False
) -> tuple[Facts, ast.AST] | None:
    """Method `name` of `cls` or of a base class (of this file, or of the tree in project mode;
    with `training`, only files that can hold training code are parsed to find it)."""
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return facts, stmt
    if depth > 4:
        return None
    if facts.project is not None:
        return facts.project.method(facts, cls, name, training=training)
    for base in cls.bases:
        if isinstance(base, ast.Name):
            for local in facts.classes.get(base.id, []):
                if local is not cls:
                    found = method_of(facts, local, name, depth + 1, training)
                    if found is not None:
                        return found
    return None
