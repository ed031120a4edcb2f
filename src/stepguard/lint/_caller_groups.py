"""Param groups an optimizer factory receives from its callers (for SG101).

``def get_optimizer(name, params, lr, **kwargs): ... torch.optim.Adam(params, lr=lr, **kwargs)``
shows no weight decay: the decay sits in the groups its callers pass (``get_optimizer(cfg.name,
get_optimizer_grouped_parameters(model), cfg.lr)``, the groups built by a helper of another file
of the tree). `caller_group_decays` follows the factory's parameter to each caller and reads the
``weight_decay`` of the group dicts passed there (a literal, or the list a same-file or imported
helper returns). It gives up (None) when a caller may pass a weight decay through ``**kwargs``.
"""

from __future__ import annotations

import ast

from stepguard.lint._objects import callee, callers, passed_argument
from stepguard.lint._scan import Facts, kwarg
from stepguard.lint._values import (
    Decay,
    as_group,
    assigned_values,
    decay_value,
    dict_get,
    group_alternatives,
    params_arg,
    returned_lists,
)

# (the file of the group, the group dict, its weight_decay expression, the value)
GroupDecay = tuple[Facts, ast.Dict, ast.expr, Decay]


def caller_group_decays(facts: Facts, call: ast.Call) -> list[GroupDecay] | None:
    """The weight decays of the param groups the callers of the function around `call` pass as
    its params argument, when `call` sets none itself (its ``**`` only forwards the function's
    own ``**kwargs``, which no caller fills); None when not visible."""
    params = params_arg(call, facts)
    scope = facts.function_of(call)
    if not isinstance(params, ast.Name) or not isinstance(
        scope, (ast.FunctionDef, ast.AsyncFunctionDef)
    ):
        return None
    if kwarg(call, "weight_decay") is not None:
        return None
    args = scope.args
    pos = [a.arg for a in (*args.posonlyargs, *args.args)]
    if params.id not in pos or assigned_values(facts, params.id, params) != [None]:
        return None
    forwarded = args.kwarg.arg if args.kwarg is not None else None
    if any(
        k.arg is None and not (isinstance(k.value, ast.Name) and k.value.id == forwarded)
        for k in call.keywords
    ):
        return None
    out: list[GroupDecay] = []
    for cf, c in callers(facts, scope)[:8]:
        if any(k.arg is None or k.arg == "weight_decay" for k in c.keywords):
            return None  # a weight decay may come in through the keywords
        passed = passed_argument(c, scope, params.id, pos)
        if passed is None or isinstance(passed, ast.Starred):
            continue
        for gf, g in _groups(cf, passed):
            node = dict_get(g, "weight_decay")
            if node is None:
                continue
            value = decay_value(gf, node, g)
            if value is None:
                return None
            out.append((gf, g, node, value))
    return out or None


def _groups(facts: Facts, node: ast.expr) -> list[tuple[Facts, ast.Dict]]:
    """The group dicts `node` holds: a literal list (maybe through a name or a same-file helper),
    or the list a helper of another file returns."""
    alternatives = group_alternatives(facts, node)
    if alternatives is not None:
        return [(facts, g) for alt in alternatives for g in alt]
    if not isinstance(node, ast.Name):
        return []
    bound = assigned_values(facts, node.id, node)
    if len(bound) != 1 or not isinstance(bound[0], ast.Call):
        return []
    found = callee(facts, bound[0], training=False)
    if found is None or found[0] is facts:
        return []
    gf, func = found
    out: list[tuple[Facts, ast.Dict]] = []
    for built in returned_lists(gf, func):
        if not isinstance(built, (ast.List, ast.Tuple)):
            return []
        for e in built.elts:
            g = as_group(gf, e)
            if g is None:
                return []
            out.append((gf, g))
    return out
