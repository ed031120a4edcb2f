"""Models a helper wraps in DistributedDataParallel and hands back (for SG208).

Real training scripts often leave the wrapping to a helper, in the same file or another one of
the tree: ``model, optimizer = distributed_opt(args, model, optimizer)`` where the helper builds
``DistributedDataParallel(model, ...)`` in one of its branches (a launcher or platform setting)
and returns it; or ``model = wrap_ddp(model)``. The window then runs that model, often passed in
as a parameter. `helper_ddp` follows a model name back through parameters (to the callers) and
assignments (a call's result, one element of a returned tuple) to such a helper, a few hops at
most, and reads only the helpers it meets.
"""

from __future__ import annotations

import ast

from stepguard.lint._objects import callee, callers, passed_argument
from stepguard.lint._scan import Facts, build_kind, walk

_MAX_HOPS = 4

# (the file of the DDP construction, the construction)
Found = tuple[Facts, ast.Call]


def helper_ddp(facts: Facts, node: ast.expr, hops: int = 0) -> Found | None:
    """The ``DistributedDataParallel(...)`` construction a helper returns into `node` (a name
    the window calls as its model), or None when no helper on the way builds one."""
    if hops > _MAX_HOPS or not isinstance(node, ast.Name):
        return None
    cache: dict[object, Found | None] = facts.cache.setdefault("helper_ddp", {})  # type: ignore[assignment]
    key = (id(node), hops)
    if key in cache:
        return cache[key]
    cache[key] = None
    found = _trace(facts, node, hops)
    cache[key] = found
    return found


def _trace(facts: Facts, node: ast.Name, hops: int) -> Found | None:
    name = node.id
    scope = facts.function_of(node)
    for where in (scope, facts.tree) if scope is not facts.tree else (facts.tree,):
        for a in facts.assigns:
            if not isinstance(a, ast.Assign) or facts.function_of(a) is not where:
                continue
            if not isinstance(a.value, ast.Call):
                continue
            for t in a.targets:
                index = _index_in(t, name)
                if index is None:
                    continue
                found = _returned_ddp(facts, a.value, index)
                if found is not None:
                    return found
        if where is scope and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = scope.args
            pos = [x.arg for x in (*args.posonlyargs, *args.args)]
            if name in pos or any(x.arg == name for x in args.kwonlyargs):
                for caller_facts, call in callers(facts, scope)[:8]:
                    passed = passed_argument(call, scope, name, pos)
                    if isinstance(passed, ast.Name):
                        found = helper_ddp(caller_facts, passed, hops + 1)
                        if found is not None:
                            return found
                return None
    return None


def _index_in(target: ast.expr, name: str) -> int | None:
    """-1 when `target` is `name`, its position when `target` is a tuple holding it, else None."""
    if isinstance(target, ast.Name):
        return -1 if target.id == name else None
    if isinstance(target, (ast.Tuple, ast.List)):
        for i, elt in enumerate(target.elts):
            if isinstance(elt, ast.Name) and elt.id == name:
                return i
    return None


def _returned_ddp(facts: Facts, call: ast.Call, index: int) -> Found | None:
    """The DDP construction the helper `call` calls returns (whole, or at position `index` of the
    tuple it returns), when the helper builds one and binds it to what it returns."""
    if build_kind(facts, call) is not None:
        return None
    resolved = callee(facts, call, training=False)
    if resolved is None:
        return None
    hf, func = resolved
    ddp = [
        c
        for c in walk(func)
        if isinstance(c, ast.Call) and hf.function_of(c) is func and build_kind(hf, c) == "ddp"
    ]
    if not ddp:
        return None
    for ret in walk(func):
        if not isinstance(ret, ast.Return) or hf.function_of(ret) is not func:
            continue
        value = ret.value
        if index >= 0:
            if not isinstance(value, (ast.Tuple, ast.List)) or index >= len(value.elts):
                continue
            value = value.elts[index]
        if value in ddp:
            return hf, value
        if isinstance(value, ast.Name):
            for c in ddp:
                parent = hf.parents.get(c)
                if isinstance(parent, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == value.id for t in parent.targets
                ):
                    return hf, c
    return None
