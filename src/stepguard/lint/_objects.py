"""What a name holds and which function a call runs, across the functions and files of a tree.

Real training code passes its objects around: the DDP model, the optimizer and the loss scaler
are built in ``main()`` (often in another module) and handed to ``train_one_epoch(model, ...,
loss_scaler)``; a helper is a method of a base class or of an object. These functions follow a
name to what it holds without running anything:

- `builds`: the constructions (calls) a name or attribute may hold, through assignments in its
  function, ``self.x`` set anywhere in the class, module-level names, names imported from
  another file of the tree, and a parameter's arguments at every call of its function in the
  tree (`callers`);
- `callee`: the definition a call runs: a function of the file, a method of the enclosing class or
  its bases (``self.step()``), a function imported from another file of the tree, or a method of
  the class an object was built from (``loss_scaler(...)`` runs ``NativeScaler.__call__``,
  ``trainer.fit()`` runs ``Trainer.fit``).

Answers are cached per file (`Facts.cache`) or per tree (`Project.cache`); the search stops after
a few hops and a few alternatives, so a large tree costs little.
"""

from __future__ import annotations

import ast
from typing import Any

from stepguard.lint._facts import Facts, method_of
from stepguard.lint._nodes import FuncDef, call_name, dotted, kwarg

__all__ = ["builds", "callee", "callers", "calls_of", "instance_class", "passed_argument"]

_MAX_HOPS = 4
#: Method names torch modules, optimizers, schedulers and loggers share: a same-file call
#: ``x.step()`` says nothing about which class's ``step`` it runs.
_GENERIC_METHODS = frozenset(
    (
        "step",
        "zero_grad",
        "backward",
        "forward",
        "train",
        "eval",
        "update",
        "state_dict",
        "load_state_dict",
        "to",
        "cuda",
        "parameters",
        "named_parameters",
        "apply",
        "get",
        "set",
        "run",
        "fit",
        "save",
        "load",
        "reset",
        "log",
        "close",
        "append",
        "add",
        "item",
    )
)
_MAX_BUILDS = 8
Build = tuple[Facts, ast.Call]


def calls_of(facts: Facts, func: FuncDef) -> list[ast.Call]:
    """Same-file calls of `func` (``build(...)``, ``self.build(...)``); none if its name is reused."""
    if len(facts.functions.get(func.name, [])) != 1:
        return []
    out = []
    for call in facts.calls:
        if call_name(call) != func.name:
            continue
        f = call.func
        if isinstance(f, ast.Name) or (
            isinstance(f, ast.Attribute) and dotted(f.value) in ("self", "cls")
        ):
            out.append(call)
    return out


def passed_argument(
    call: ast.Call, func: FuncDef, name: str, pos: list[str], bound: bool | None = None
) -> ast.expr | None:
    """The argument `call` passes for parameter `name` of `func`; a ``Starred``/``**`` argument
    when the call's arguments are not all visible; None when it is not passed. `bound` says the
    call goes through an instance (``self`` is not among the arguments), the default for a
    `func` whose first parameter is ``self``/``cls``."""
    value = kwarg(call, name)
    if value is not None:
        return value
    for kw in call.keywords:
        if kw.arg is None:
            return ast.Starred(value=kw.value, ctx=ast.Load())
    if bound is None:
        # A method is called through an instance or its class (`x.f(...)`, `Runner(...)` for
        # `__init__`, `obj(...)` for `__call__`): `self` is not among the arguments.
        bound = True
    shift = 1 if bound and pos[:1] in (["self"], ["cls"]) else 0
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred):
            return a
        if name in pos and i + shift == pos.index(name):
            return a
    return None


def callers(facts: Facts, func: FuncDef) -> list[tuple[Facts, ast.Call]]:
    """Every call of `func` in the tree: the same file's (`calls_of`), and in project mode the
    calls in other files that resolve to it (an imported function) or may (a method called on
    some object, ``model.configure_optimizers(...)``)."""
    if func.name == "__init__":
        return _constructions(facts, func)
    out: list[tuple[Facts, ast.Call]] = [(facts, c) for c in calls_of(facts, func)]
    is_method = bool(func.args.args) and func.args.args[0].arg in ("self", "cls")
    if (
        is_method
        and not func.name.startswith("__")
        and func.name not in _GENERIC_METHODS
        and len(facts.functions.get(func.name, [])) == 1
    ):
        # the same file's ``raw_model.configure_optimizers(...)``: as for other files below
        by_name: dict[str, list[ast.Call]] | None = facts.cache.get("method_calls")  # type: ignore[assignment]
        if by_name is None:
            by_name = {}
            for c in facts.calls:
                if isinstance(c.func, ast.Attribute) and dotted(c.func.value) not in (
                    "self",
                    "cls",
                ):
                    by_name.setdefault(c.func.attr, []).append(c)
            facts.cache["method_calls"] = by_name
        out += [(facts, c) for c in by_name.get(func.name, ())]
    project = facts.project
    if project is None or func.name.startswith("__"):
        return out
    cache: dict[Any, Any] = project.cache.setdefault("callers", {})
    key = (facts.path, func.name, func.lineno)
    if key not in cache:
        found: list[tuple[Facts, ast.Call]] = []
        cache[key] = found
        needle = f"{func.name}("
        for path in project.files:
            if path == facts.path:
                continue
            text = project.text(path)
            if text is None or needle not in text:
                continue
            other = project.definitions(path)
            if other is None:
                continue
            for c in other.calls:
                if call_name(c) != func.name:
                    continue
                if isinstance(c.func, ast.Attribute) and is_method:
                    found.append((other, c))
                    continue
                target = callee(other, c)
                if target is not None and _same(target, facts, func):
                    found.append((other, c))
    return out + cache[key]


def _same(
    found: tuple[Facts, FuncDef | ast.ClassDef], facts: Facts, func: FuncDef | ast.ClassDef
) -> bool:
    """`found` is `func` of `facts`'s file (the file may have been parsed twice: once as another
    file's dependency, once when it is linted itself)."""
    other, node = found
    if node is func:
        return True
    return (
        node.name == func.name
        and node.lineno == func.lineno
        and node.col_offset == func.col_offset
        and other.path == facts.path
    )


def _constructions(facts: Facts, init: FuncDef) -> list[tuple[Facts, ast.Call]]:
    """The calls that build the class whose ``__init__`` is `init` (``Runner(model, ...)``), in
    this file and, in project mode, in the files of the tree that name the class."""
    cls = facts.class_of(init)
    if cls is None:
        return []
    out: list[tuple[Facts, ast.Call]] = []
    files: list[tuple[Facts | None, str]] = [(facts, facts.path)]
    project = facts.project
    if project is not None:
        cache: dict[Any, Any] = project.cache.setdefault("constructions", {})
        key = (facts.path, cls.name, cls.lineno)
        if key in cache:
            return cache[key]
        cache[key] = out
        needle = f"{cls.name}("
        for path in project.files:
            text = project.text(path)
            if path != facts.path and text is not None and needle in text:
                files.append((None, path))
    for owner, path in files:
        other = owner if owner is not None else (project.definitions(path) if project else None)
        if other is None:
            continue
        for c in other.calls:
            found = class_of_call(other, c) if call_name(c) == cls.name else None
            if found is not None and _same(found, facts, cls):
                out.append((other, c))
    return out


def builds(facts: Facts, node: ast.AST, hops: int = 0) -> list[Build]:
    """The constructions `node` (a name, ``self.x``, a call) may hold (see the module docstring)."""
    if hops > _MAX_HOPS:
        return []
    cache: dict[Any, Any] = facts.cache.setdefault("builds", {})  # type: ignore[assignment]
    key = (id(node), hops)
    if key in cache:
        return cache[key]
    cache[key] = []
    out = _builds(facts, node, hops)[:_MAX_BUILDS]
    cache[key] = out
    return out


def _builds(facts: Facts, node: ast.AST, hops: int) -> list[Build]:
    if isinstance(node, ast.Call):
        return [(facts, node)]
    if isinstance(node, ast.IfExp):
        return builds(facts, node.body, hops) + builds(facts, node.orelse, hops)
    if isinstance(node, ast.Name):
        return _name_builds(facts, node, hops)
    d = dotted(node)
    if d is not None and d.startswith("self.") and d.count(".") == 1:
        cls = facts.class_of(node)
        if cls is None:
            return []
        out: list[Build] = []
        for owner, klass in [(facts, cls), *_bases(facts, cls)]:
            for stmt in ast.walk(klass):
                if isinstance(stmt, ast.Assign):
                    value = _assigned_to(stmt, d)
                    if value is not None:
                        out += builds(owner, value, hops + 1)
        return out
    return []


def _name_builds(facts: Facts, node: ast.Name, hops: int) -> list[Build]:
    name = node.id
    scope = facts.function_of(node)
    values = _assignments(facts, name, scope)
    if values:
        return [b for v in values for b in builds(facts, v, hops + 1)]
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        a = scope.args
        pos = [x.arg for x in (*a.posonlyargs, *a.args)]
        if name in pos or any(x.arg == name for x in a.kwonlyargs):
            out: list[Build] = []
            for caller_facts, call in callers(facts, scope)[:_MAX_BUILDS]:
                passed = passed_argument(call, scope, name, pos)
                if passed is not None and not isinstance(passed, ast.Starred):
                    out += builds(caller_facts, passed, hops + 1)
            return out
    if scope is not facts.tree:
        values = _assignments(facts, name, facts.tree)
        if values:
            return [b for v in values for b in builds(facts, v, hops + 1)]
    alias = facts.aliases.get(name)
    if alias is not None and facts.project is not None:
        found = facts.project.lookup(facts, alias)
        if found is not None and isinstance(found[1], ast.expr):
            return builds(found[0], found[1], hops + 1)
    return []


def _assigned_to(stmt: ast.Assign, target: str) -> ast.expr | None:
    """The value `stmt` assigns to the dotted name `target`, also position by position from a
    tuple (``self.model, self.opt = model, opt``)."""
    for t in stmt.targets:
        if dotted(t) == target:
            return stmt.value
        if (
            isinstance(t, (ast.Tuple, ast.List))
            and isinstance(stmt.value, (ast.Tuple, ast.List))
            and len(t.elts) == len(stmt.value.elts)
        ):
            for elt, value in zip(t.elts, stmt.value.elts, strict=True):
                if dotted(elt) == target:
                    return value
    return None


def _assignments(facts: Facts, name: str, scope: ast.AST) -> list[ast.expr]:
    out = []
    for n in facts.assigns:
        if isinstance(n, ast.Assign) and facts.function_of(n) is scope:
            value = _assigned_to(n, name)
            if value is not None:
                out.append(value)
        elif (
            isinstance(n, ast.AnnAssign)
            and n.value is not None
            and isinstance(n.target, ast.Name)
            and n.target.id == name
            and facts.function_of(n) is scope
        ):
            out.append(n.value)
    return out


def _bases(facts: Facts, cls: ast.ClassDef) -> list[tuple[Facts, ast.ClassDef]]:
    if facts.project is None:
        return []
    return facts.project.bases(facts, cls)


def class_of_call(facts: Facts, call: ast.Call) -> tuple[Facts, ast.ClassDef] | None:
    """The class a call instantiates, when it is defined in the file or the tree."""
    f = call.func
    if isinstance(f, ast.Name):
        local = facts.classes.get(f.id, [])
        if len(local) == 1:
            return facts, local[0]
    if facts.project is None:
        return None
    d = dotted(f)
    if d is None:
        return None
    head, _, rest = d.partition(".")
    alias = facts.aliases.get(head)
    if alias is None:
        return None
    found = facts.project.lookup(facts, f"{alias}.{rest}" if rest else alias)
    if found is not None and isinstance(found[1], ast.ClassDef):
        return found[0], found[1]
    return None


def instance_class(facts: Facts, node: ast.AST) -> tuple[Facts, ast.ClassDef] | None:
    """The class of the object `node` holds, when every construction it may hold builds the same
    class defined in the tree."""
    found: tuple[Facts, ast.ClassDef] | None = None
    for owner, call in builds(facts, node):
        cls = class_of_call(owner, call)
        if cls is None or (found is not None and found[1] is not cls[1]):
            return None
        found = cls
    return found


def callee(
    facts: Facts, call: ast.Call, objects: bool = False, training: bool = True
) -> tuple[Facts, FuncDef] | None:
    """Where the function or method `call` calls is defined, when that is visible (see the module
    docstring): ``(facts of that file, definition)``. With `objects`, also a method of the class
    an object was built from (``loss_scaler(...)``, ``trainer.fit()``), which may follow
    parameters to their callers across the tree: ask only where it matters. With `training`
    (the default), another file is read only if it can hold training code (the rules'
    pre-filter): what helpers that step or run a backward need, and cheap on large trees."""
    cache: dict[Any, Any] = facts.cache.setdefault("callee", {})  # type: ignore[assignment]
    key = (id(call), objects, training)
    if key not in cache:
        cache[key] = None
        cache[key] = _callee(facts, call, objects, training)
    return cache[key]


def _callee(
    facts: Facts, call: ast.Call, objects: bool, training: bool
) -> tuple[Facts, FuncDef] | None:
    f = call.func
    found: tuple[Facts, ast.AST] | None = None
    if isinstance(f, ast.Name):
        local = [d for d in facts.functions.get(f.id, []) if facts.class_of(d) is None]
        if local:
            return (facts, local[0]) if len(local) == 1 else None
        if f.id in facts.aliases:
            if facts.project is None:
                return None
            found = facts.project.lookup(facts, facts.aliases[f.id], training=training)
        elif objects:
            cls = instance_class(facts, f)  # `loss_scaler(...)`: the object's __call__
            if cls is not None:
                found = method_of(cls[0], cls[1], "__call__", 0, training)
    elif isinstance(f, ast.Attribute):
        rec = dotted(f.value)
        if rec in ("self", "cls"):
            cls_node = facts.class_of(call)
            if cls_node is None:
                return None
            found = method_of(facts, cls_node, f.attr, 0, training)
        elif rec is not None and facts.project is not None:
            head, _, rest = rec.partition(".")
            alias = facts.aliases.get(head)
            if alias is not None:
                found = facts.project.lookup(
                    facts, ".".join(p for p in (alias, rest, f.attr) if p), training=training
                )
            elif objects and "." not in rec:
                cls = instance_class(facts, f.value)  # `trainer.fit()`: the object's method
                if cls is not None:
                    found = method_of(cls[0], cls[1], f.attr, 0, training)
    if found is None or not isinstance(found[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return found[0], found[1]
