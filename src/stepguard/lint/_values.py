"""Reading the `weight_decay` an optimizer construction applies, for the SG101–SG103 rules.

A decay value is either a float the file shows (a literal, arithmetic on literals, a module
constant, a parameter's default together with what the same file's call sites pass) or the
expression itself when its value is not known statically (``args.weight_decay``,
``cfg.optim.wd``, ``hp["wd"]``, a parameter without default). Callers decide what "unknown" means.
"""

from __future__ import annotations

import ast

from stepguard.lint._base import binding, const_number
from stepguard.lint._scan import (
    WD_POSITION,
    Facts,
    FuncDef,
    assigned_names,
    call_name,
    dotted,
    has_star_kwargs,
    kwarg,
)


def weight_decay_arg(call: ast.Call, cls: str) -> ast.expr | None:
    """The expression passed as `weight_decay` (keyword or positional), or None."""
    value = kwarg(call, "weight_decay")
    if value is not None:
        return value
    pos = WD_POSITION.get(cls)
    if pos is not None and len(call.args) > pos and not has_star_kwargs(call):
        return call.args[pos]
    return None


def params_arg(call: ast.Call) -> ast.expr | None:
    """The first argument (the parameters or param groups) of an optimizer construction."""
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return kwarg(call, "params")


def group_dicts(facts: Facts, params: ast.expr | None) -> list[ast.Dict] | None:
    """The param-group dict literals of ``[{"params": ..., ...}, ...]`` (or a name bound to one)."""
    if isinstance(params, ast.Name):
        params = binding(facts, params.id, params)
    if (
        isinstance(params, (ast.List, ast.Tuple))
        and params.elts
        and all(isinstance(e, ast.Dict) for e in params.elts)
    ):
        return [e for e in params.elts if isinstance(e, ast.Dict)]
    return None


def dict_get(d: ast.Dict, key: str) -> ast.expr | None:
    """The value for a constant string key of a dict literal (None if absent or ``**`` used)."""
    for k, v in zip(d.keys, d.values, strict=True):
        if k is None:
            return None
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None


# A decay value: a number visible in the file, or the expression whose value is not known statically.
Decay = float | ast.expr


def decay_values(facts: Facts, call: ast.Call, cls: str) -> tuple[Decay, ...] | None:
    """The weight decays this optimizer applies (top level and per group); None if not visible.

    Each value is a float when the file shows it, else the expression itself (``args.wd``).
    None means the decay cannot be read at all (``**kwargs`` hide it, a group dict uses ``**``,
    a non-numeric constant). The top-level value counts only when explicit (an omitted one is the
    class default, which is 0 for the coupled-decay optimizers and not reported for the others).
    """
    if has_star_kwargs(call) and kwarg(call, "weight_decay") is None:
        return None
    wd_node = weight_decay_arg(call, cls)
    top = 0.0 if wd_node is None else decay_value(facts, wd_node, call)
    if top is None:
        return None
    groups = group_dicts(facts, params_arg(call))
    if groups is None:
        return (top,)
    values: list[Decay] = []
    for g in groups:
        v = dict_get(g, "weight_decay")
        if v is None and any(k is None for k in g.keys):
            return None
        n = top if v is None else decay_value(facts, v, call)
        if n is None:
            return None
        values.append(n)
    return tuple(values)


def decay_value(facts: Facts, node: ast.expr, at: ast.AST) -> Decay | None:
    """The value of a `weight_decay` expression: a float when visible, else `node` itself.

    A plain name that is a parameter of the enclosing function (never reassigned there) takes
    every value it can have in this file: its default and what each same-file call passes; the
    largest known one is the answer when it is > 0 (some call decays), 0 only when all are 0, and
    unknown when any is not visible. Non-numeric constants (``None``, strings) give None.
    """
    if isinstance(node, ast.Constant):
        return const_number(facts, node, at)
    if isinstance(node, ast.Name):
        passed = _parameter_values(facts, node.id, at)
        if passed is not None:
            known = [v for v in passed if isinstance(v, float)]
            if known and max(known) > 0:
                return max(known)
            return 0.0 if len(known) == len(passed) else node
    value = const_number(facts, node, at)
    return node if value is None else value


def _parameter_values(facts: Facts, name: str, at: ast.AST) -> list[Decay] | None:
    """The values parameter `name` of the function enclosing `at` can take in this file, or None
    when `name` is not such a parameter (or is reassigned in the function body)."""
    scope = facts.function_of(at)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = scope.args
    pos = [a.arg for a in (*args.posonlyargs, *args.args)]
    kwonly = [a.arg for a in args.kwonlyargs]
    if name not in pos and name not in kwonly:
        return None
    for node in facts.assigns:
        if facts.function_of(node) is scope:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(name in assigned_names(t) for t in targets):
                return None
    defaults = dict(zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True))
    defaults.update({a: d for a, d in zip(kwonly, args.kw_defaults, strict=True) if d is not None})
    default = defaults.get(name)
    values: list[Decay] = []
    for call in _calls_of(facts, scope):
        passed = _passed(call, scope, name, pos)
        if passed is None:
            if default is None:
                continue  # a call that omits a required argument fails before any step
            passed = default
        if isinstance(passed, ast.Starred):
            values.append(passed)
            continue
        v = const_number(facts, passed, passed)
        values.append(passed if v is None else v)
    if default is not None and not values:
        v = const_number(facts, default, default)
        values.append(default if v is None else v)
    if not values:
        values.append(ast.Name(id=name, ctx=ast.Load()))  # only callers elsewhere: unknown
    return values


def _calls_of(facts: Facts, func: FuncDef) -> list[ast.Call]:
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


def _passed(call: ast.Call, func: FuncDef, name: str, pos: list[str]) -> ast.expr | None:
    """The argument `call` passes for parameter `name` of `func`; a ``Starred``/``**`` argument
    when the call's arguments are not all visible; None when it is not passed."""
    value = kwarg(call, name)
    if value is not None:
        return value
    for kw in call.keywords:
        if kw.arg is None:
            return ast.Starred(value=kw.value, ctx=ast.Load())
    shift = 1 if isinstance(call.func, ast.Attribute) and pos[:1] in (["self"], ["cls"]) else 0
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred):
            return a
        if name in pos and i + shift == pos.index(name):
            return a
    return None
