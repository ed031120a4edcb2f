"""Value resolution: what a name, a number or an optimizer argument is worth, seen statically.

Every rule that needs a value goes through this module: `binding` (the expression a plain name is
bound to), `const_number` (a number the file shows), and, for the SG101–SG103 rules, the
`weight_decay` an optimizer construction applies (`decay_values`) and whether its decoupling flag
is on (`decoupled_flag`). The optimizer facts (which classes couple their decay, where
``weight_decay`` and the flag sit among the positional arguments) come from the torch-free table
`stepguard._optimizers`, shared with the audit.

A decay value is either a float the file shows (a literal, arithmetic on literals, a module
constant, a parameter's default together with what the same file's call sites pass) or the
expression itself when its value is not known statically (``args.weight_decay``,
``cfg.optim.wd``, ``hp["wd"]``, a parameter without default). Callers decide what "unknown" means.
"""

from __future__ import annotations

import ast
import re

from stepguard._optimizers import TORCH_OPTIMIZERS, coupled_names
from stepguard.lint._facts import config_bound_class, partial_class
from stepguard.lint._nodes import FuncDef
from stepguard.lint._objects import callee, callers, calls_of, class_of_call, passed_argument
from stepguard.lint._scan import (
    Facts,
    assigned_names,
    call_name,
    dotted,
    has_star_kwargs,
    kwarg,
    receiver,
)

__all__ = [
    "COUPLED_DECAY",
    "WD_POSITION",
    "Decay",
    "added_groups",
    "as_group",
    "assigned_values",
    "binding",
    "calls_of",
    "config_spread",
    "const_number",
    "decay_alternatives",
    "decay_value",
    "decay_values",
    "decoupled_flag",
    "default_decay",
    "dict_constant_entry",
    "dict_get",
    "flag_arg",
    "group_alternatives",
    "group_dicts",
    "helper_groups",
    "params_arg",
    "partial_of",
    "passed_argument",
    "returned_lists",
    "star_kwargs",
    "weight_decay_arg",
]

# From the optimizer table shared with the audit (`stepguard._optimizers`).
# torch.optim classes whose positive `weight_decay` can be coupled L2 through adaptive moments.
COUPLED_DECAY = tuple(sorted(coupled_names()))
# Index of `weight_decay` among the positional parameters of each torch.optim class.
WD_POSITION = {n: f.wd_index for n, f in TORCH_OPTIMIZERS.items() if f.wd_index is not None}


# -- names and numbers ---------------------------------------------------------------------------


def const_number(facts: Facts, node: ast.AST | None, at: ast.AST, depth: int = 0) -> float | None:
    """The numeric value of `node` when it is visible in this file, else None.

    Follows constants, unary minus, arithmetic on constants, and names bound once by a plain
    assignment in the enclosing function (or to a constant default of its parameter) or at module
    level. ``args.weight_decay`` and anything computed at run time are unknown (None).
    """
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return float(v)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = const_number(facts, node.operand, at, depth + 1)
        if v is None:
            return None
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a = const_number(facts, node.left, at, depth + 1)
        b = const_number(facts, node.right, at, depth + 1)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow) and abs(b) < 64:
                return float(a**b)
        except (ArithmeticError, ValueError, OverflowError):
            return None
        return None
    if isinstance(node, ast.Name):
        value = binding(facts, node.id, at)
        if value is None:
            return None
        return const_number(facts, value, value, depth + 1)
    if isinstance(node, ast.Subscript):
        entry = dict_constant_entry(facts, node, at)
        return None if entry is None else const_number(facts, entry, entry, depth + 1)
    return None


def dict_constant_entry(facts: Facts, node: ast.Subscript, at: ast.AST) -> ast.expr | None:
    """The value of ``CONFIG["key"]`` when ``CONFIG`` is bound once to a dict literal (in the
    enclosing function or at module level) that has that string key and no statement of the
    file assigns, deletes or updates one of its keys; else None."""
    if not (
        isinstance(node.value, ast.Name)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return None
    name = node.value.id
    bound = binding(facts, name, at)
    if not isinstance(bound, ast.Dict):
        return None
    for n in facts.calls:
        f = n.func
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == name
            and f.attr in ("update", "setdefault", "pop", "__setitem__")
        ):
            return None
    for a in facts.assigns:
        targets = a.targets if isinstance(a, ast.Assign) else [a.target]
        for t in targets:
            if (
                isinstance(t, ast.Subscript)
                and isinstance(t.value, ast.Name)
                and t.value.id == name
            ):
                return None
    found = [
        v
        for k, v in zip(bound.keys, bound.values, strict=True)
        if isinstance(k, ast.Constant) and k.value == node.slice.value
    ]
    if any(k is None for k in bound.keys) or len(found) != 1:
        return None
    return found[0]


def binding(facts: Facts, name: str, at: ast.AST) -> ast.expr | None:
    """The expression a plain name is bound to, seen from `at`: the single assignment in the
    enclosing function, else the parameter's default, else the single module-level assignment."""
    scope = facts.function_of(at)
    found = _single_assignment(facts, name, scope)
    if found is not None:
        return found
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = scope.args
        pos = [*args.posonlyargs, *args.args]
        defaults = dict(
            zip([a.arg for a in pos[len(pos) - len(args.defaults) :]], args.defaults, strict=True)
        )
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if d is not None:
                defaults[a.arg] = d
        if name in defaults:
            return defaults[name]
        if any(a.arg == name for a in [*pos, *args.kwonlyargs]):
            return None  # a parameter without a default: its value comes from the caller
    if scope is not facts.tree:
        return _single_assignment(facts, name, facts.tree)
    return None


def _single_assignment(facts: Facts, name: str, scope: ast.AST) -> ast.expr | None:
    values: list[ast.expr] = []
    for node in facts.assigns:
        if facts.function_of(node) is not scope:
            continue
        if isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name) and node.target.id == name:
                return None
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            names = assigned_names(t)
            if name in names:
                if isinstance(t, ast.Name) and node.value is not None:
                    values.append(node.value)
                else:
                    return None  # unpacked from a tuple: not visible
    return values[0] if len(values) == 1 else None


# -- optimizer arguments -------------------------------------------------------------------------


def weight_decay_arg(call: ast.Call, cls: str, facts: Facts | None = None) -> ast.expr | None:
    """The expression passed as `weight_decay` (keyword, position, or, given `facts`, a key of a
    ``**kwargs`` dict the file builds), or None."""
    value = kwarg(call, "weight_decay")
    if value is not None:
        return value
    if facts is not None:
        spread = star_kwargs(facts, call)
        if spread and "weight_decay" in spread:
            return spread["weight_decay"]
        bound = partial_of(facts, call)
        if bound is not None and kwarg(bound, "weight_decay") is not None:
            return kwarg(bound, "weight_decay")
    pos = WD_POSITION.get(cls)
    if (
        pos is not None
        and len(call.args) > pos
        and not has_star_kwargs(call)
        and call_name(call) != "ZeroRedundancyOptimizer"
    ):
        return call.args[pos]
    return None


def partial_of(facts: Facts, call: ast.Call) -> ast.Call | None:
    """The ``functools.partial(Adam, weight_decay=...)`` a construction calls (``opt_fn(params)``
    with ``opt_fn`` bound once to it), or None."""
    func = call.func
    if not isinstance(func, ast.Name):
        return None
    bound = facts.local_value(func.id, call)
    if isinstance(bound, ast.Call) and partial_class(bound) is not None:
        return bound
    return None


def config_binding(facts: Facts, call: ast.Call) -> ast.Call | None:
    """The ``argbind.bind(cls, ...)`` a construction calls (``AdamW(params)`` with ``AdamW``
    bound once to it), or None."""
    func = call.func
    if not isinstance(func, ast.Name):
        return None
    bound = facts.local_value(func.id, call)
    if isinstance(bound, ast.Call) and config_bound_class(facts, bound) is not None:
        return bound
    return None


def _configured(facts: Facts, cls: str, key: str) -> bool:
    """Whether the project may set keyword `key` of config-bound class `cls`: a config entry or
    launch option ``cls.key`` (any scope: ``generator/AdamW.weight_decay``) or a bare ``key``
    (a binding without prefix); True when the
    project's configs are not read (a file linted alone, not its folder) or a config file or launch script
    could not be read whole."""
    settings = getattr(facts.project, "settings", None)
    if settings is None or not getattr(facts.project, "roots", ()):
        return True  # no directory linted: its configs and scripts are not read
    name, key = cls.lower(), key.lower()
    scenarios = settings.scenarios()
    if settings.notes:
        return True  # a config or script the linter could not read (all of) may set it
    for scenario in scenarios:
        keys = [k for k, _ in scenario.config] + list(scenario.options)
        for k in keys:
            parts = re.split(r"[./]", k.lower().replace("-", "_"))
            if parts[-1] == key and (name in parts or len(parts) == 1):
                return True
    return False


def star_kwargs(facts: Facts, call: ast.Call) -> dict[str, ast.expr] | None:
    """The keywords a call passes through ``**name`` when the file shows the dict: a literal or
    ``dict(...)`` bound once in the function, plus ``name["key"] = value`` assignments there.
    ``{}`` when the call has no ``**``; None when a ``**`` (or ``*args``) is not visible."""
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    out: dict[str, ast.expr] = {}
    for kw in call.keywords:
        if kw.arg is not None:
            continue
        entries = (
            _dict_entries(facts, kw.value.id, call) if isinstance(kw.value, ast.Name) else None
        )
        if entries is None and isinstance(kw.value, ast.Name):
            entries = _forwarded_kwargs(facts, kw.value.id, call)
        if entries is None:
            entries = config_spread(facts, kw.value, call)
        if entries is None:
            return None
        out.update(entries)
    return out


def config_spread(facts: Facts, spread: ast.expr, call: ast.Call) -> dict[str, ast.expr] | None:
    """The ``weight_decay`` a ``**spec["args"]`` (``**cfg.optim.kwargs``, or a name bound once to
    such a read) passes when that dict comes from a config file of the linted tree: some config
    sets ``<...>.args.weight_decay`` under the same last key. The entry is the expression
    ``spec["args"]["weight_decay"]``, which the activity resolves against the configs; None when
    no config of the tree has such a key (the spread stays unreadable: nothing is guessed)."""
    chain: ast.expr | None = spread
    if isinstance(spread, ast.Name):
        chain = facts.local_value(spread.id, call)
    if not isinstance(chain, (ast.Subscript, ast.Attribute)):
        return None
    last = chain.attr if isinstance(chain, ast.Attribute) else _string_key(chain.slice)
    if last is None or not _config_sets(facts, last.lower(), "weight_decay"):
        return None
    entry = ast.Subscript(value=spread, slice=ast.Constant("weight_decay"), ctx=ast.Load())
    if isinstance(spread, ast.Name):
        entry = ast.Subscript(value=chain, slice=ast.Constant("weight_decay"), ctx=ast.Load())
    ast.copy_location(entry, spread)
    ast.copy_location(entry.slice, spread)
    facts.parents.setdefault(entry, call)
    return {"weight_decay": entry}


def _string_key(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _config_sets(facts: Facts, parent: str, key: str) -> bool:
    """Some config file of the linted tree sets ``<...>.<parent>.<key>``."""
    settings = getattr(facts.project, "settings", None)
    if settings is None or not getattr(facts.project, "roots", ()):
        return False
    for scenario in settings.scenarios():
        for dotted_key, _ in scenario.config:
            parts = dotted_key.lower().replace("-", "_").split(".")
            if len(parts) >= 2 and parts[-1] == key and parts[-2] == parent:
                return True
    return False


def _literal_entries(value: ast.expr | None) -> dict[str, ast.expr] | None:
    """The entries of a dict literal or ``dict(k=v)``; for nanoGPT's ``dict(fused=True) if
    use_fused else dict()``, the entries of both sides (None when they disagree on a key)."""
    out: dict[str, ast.expr] = {}
    if isinstance(value, ast.Dict):
        for k, v in zip(value.keys, value.values, strict=True):
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                return None
            out[k.value] = v
    elif isinstance(value, ast.Call) and call_name(value) == "dict" and not value.args:
        for kw in value.keywords:
            if kw.arg is None:
                return None
            out[kw.arg] = kw.value
    elif isinstance(value, ast.IfExp):
        body, orelse = _literal_entries(value.body), _literal_entries(value.orelse)
        if body is None or orelse is None:
            return None
        for key, entry in orelse.items():
            if key in body and ast.dump(body[key]) != ast.dump(entry):
                return None
            body.setdefault(key, entry)
        return body
    else:
        return None
    return out


def _forwarded_kwargs(facts: Facts, name: str, at: ast.AST) -> dict[str, ast.expr] | None:
    """The ``weight_decay`` a function's own ``**kwargs`` forwards (``def get_optimizer(name,
    groups, lr, **kwargs): return optim.Adam(groups, lr=lr, **kwargs)``) when every call of it in
    the file passes the same expression by keyword (``get_optimizer(..., weight_decay=cfg.wd)``);
    ``{}`` when none passes one; None when the callers disagree or cannot be read."""
    scope = facts.function_of(at)
    if not (
        isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
        and scope.args.kwarg is not None
        and scope.args.kwarg.arg == name
        and not any(
            facts.function_of(a) is scope
            and any(
                name in assigned_names(t)
                for t in (a.targets if isinstance(a, ast.Assign) else [a.target])
            )
            for a in facts.assigns
        )
    ):
        return None
    calls = calls_of(facts, scope)
    if not calls:
        return None
    passed: list[ast.expr | None] = []
    for c in calls:
        if any(k.arg is None for k in c.keywords) or any(
            isinstance(a, ast.Starred) for a in c.args
        ):
            return None
        passed.append(kwarg(c, "weight_decay"))
    if all(p is None for p in passed):
        return {}
    first = passed[0]
    if first is None or any(p is None or ast.dump(p) != ast.dump(first) for p in passed):
        return None
    return {"weight_decay": first}


def _dict_entries(facts: Facts, name: str, at: ast.AST) -> dict[str, ast.expr] | None:
    out = _literal_entries(facts.local_value(name, at))
    if out is None:
        return None
    scope = facts.function_of(at)
    for node in facts.assigns:
        if facts.function_of(node) is not scope or isinstance(node, ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            if (
                isinstance(t, ast.Subscript)
                and isinstance(t.value, ast.Name)
                and t.value.id == name
            ):
                key = t.slice
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    return None
                if isinstance(node, ast.AugAssign):
                    return None
                out[key.value] = node.value
    for c in facts.calls:
        f = c.func
        if (
            isinstance(f, ast.Attribute)
            and f.attr in ("update", "pop", "setdefault")
            and isinstance(f.value, ast.Name)
            and f.value.id == name
            and facts.function_of(c) is scope
        ):
            return None
    return out


def params_arg(call: ast.Call, facts: Facts | None = None) -> ast.expr | None:
    """The first argument (the parameters or param groups) of an optimizer construction; given
    `facts`, also the ``params`` of a ``**options`` dict the file builds (MACE's
    ``torch.optim.Adam(**param_options)`` with ``param_options = dict(params=[...], lr=...)``)."""
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    found = kwarg(call, "params")
    if found is None and facts is not None and has_star_kwargs(call):
        spread = star_kwargs(facts, call)
        found = spread.get("params") if spread else None
    return found


def as_group(facts: Facts, node: ast.AST | None) -> ast.Dict | None:
    """`node` as a param-group dict: a dict literal, or ``dict(params=..., weight_decay=...)``
    (read as the literal it equals; ``dict(**base, lr=...)`` keeps the ``**`` as an unknown key).
    None for anything else."""
    if isinstance(node, ast.Dict):
        return node
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and not node.args
        and node.keywords
    ):
        return None
    made = facts.cache.setdefault("dict_calls", {})
    assert isinstance(made, dict)
    found = made.get(id(node))
    if found is None:
        keys: list[ast.expr | None] = [
            None if k.arg is None else ast.copy_location(ast.Constant(value=k.arg), k.value)
            for k in node.keywords
        ]
        found = ast.copy_location(
            ast.Dict(keys=keys, values=[k.value for k in node.keywords]), node
        )
        parent = facts.parents.get(node)
        if parent is not None:
            facts.parents[found] = parent  # so the `if` blocks around it are seen
        made[id(node)] = found
    return found


def group_alternatives(facts: Facts, params: ast.expr | None) -> list[list[ast.Dict]] | None:
    """The param-group dicts of ``[{"params": ..., ...}, ...]`` (or ``[dict(params=...), ...]``),
    one list per way the file builds them (a name assigned in both branches of an ``if`` gives
    two); None when the parameters are not param-group literals."""
    candidates: list[ast.expr | None] = [params]
    if isinstance(params, ast.Name):
        candidates = assigned_values(facts, params.id, params)
        if candidates == [None] or (
            len(candidates) == 1 and isinstance(candidates[0], ast.List) and not candidates[0].elts
        ):
            grown = grown_list(facts, params.id, params)
            if grown is not None:
                return [grown]
    if len(candidates) == 1 and isinstance(candidates[0], ast.Call):
        candidates = helper_groups(facts, candidates[0])
    out: list[list[ast.Dict]] = []
    for c in candidates:
        if not isinstance(c, (ast.List, ast.Tuple)) or not c.elts:
            return None
        groups = [as_group(facts, e) for e in c.elts]
        if any(g is None for g in groups):
            return None
        out.append([g for g in groups if g is not None])
    return out or None


def grown_list(facts: Facts, name: str, at: ast.AST) -> list[ast.Dict] | None:
    """The param-group dicts of a list the function enclosing `at` starts as a literal (empty, or
    some groups) and grows one group at a time (``params = []`` then, in a loop over the named parameters, ``params +=
    [{"params": [value], "lr": lr, "weight_decay": wd}]``, ``params.append(dict(...))`` or
    ``params.extend([...])``), all together; None when the name changes any other way or a grown
    element is not a param-group literal."""
    scope = facts.function_of(at)
    start: list[ast.AST] = []
    grown: list[ast.expr] = []
    for node in facts.assigns:
        if facts.function_of(node) is not scope:
            continue
        if isinstance(node, ast.AugAssign):
            if not (isinstance(node.target, ast.Name) and node.target.id == name):
                continue
            if not isinstance(node.op, ast.Add) or not isinstance(
                node.value, (ast.List, ast.Tuple)
            ):
                return None
            grown.extend(node.value.elts)
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(name in assigned_names(t) for t in targets):
            value = node.value
            if not isinstance(t := targets[0], ast.Name) or len(targets) != 1:
                return None
            if not isinstance(value, ast.List) or t.id != name:
                return None
            start.append(node)
            grown[:0] = value.elts  # a list literal to start from (``groups = [{head}]``)
    for c in facts.calls:
        if (
            isinstance(c.func, ast.Attribute)
            and isinstance(c.func.value, ast.Name)
            and c.func.value.id == name
            and facts.function_of(c) is scope
        ):
            if c.func.attr == "append" and len(c.args) == 1:
                grown.append(c.args[0])
            elif c.func.attr == "extend" and len(c.args) == 1 and isinstance(c.args[0], ast.List):
                grown.extend(c.args[0].elts)
            elif c.func.attr not in ("index", "count", "copy"):
                return None
    if len(start) != 1 or not grown:
        return None
    groups = [as_group(facts, e) for e in grown]
    if any(g is None for g in groups):
        return None
    return [g for g in groups if g is not None]


def _zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == 0


def switched_decay(node: ast.expr | None) -> ast.expr | None:
    """The switch of a decay written to be 0 unless a flag turns it on (``cfg.BIAS_DECAY and
    cfg.WEIGHT_DECAY or 0``, ``wd if args.decay_bias else 0.0``, ``0 if args.no_bias_decay else
    wd``): the test, else None. Such a group is exempted on purpose, with a switch to opt in."""
    if (
        isinstance(node, ast.BoolOp)
        and isinstance(node.op, ast.Or)
        and len(node.values) == 2
        and _zero(node.values[1])
        and isinstance(node.values[0], ast.BoolOp)
        and isinstance(node.values[0].op, ast.And)
    ):
        return node.values[0].values[0]
    if isinstance(node, ast.IfExp) and (_zero(node.body) or _zero(node.orelse)):
        return node.test
    return None


def helper_groups(facts: Facts, call: ast.Call) -> list[ast.expr | None]:
    """What a same-file helper that builds the param groups returns (``groups =
    get_grouped_parameters(model, args.weight_decay)``): the list literal of each ``return``, or
    the list a returned name is bound to; ``[None]`` when the call is not such a helper."""
    found = callee(facts, call)
    if found is None or found[0] is not facts:
        return [None]
    return returned_lists(facts, found[1])


def returned_lists(facts: Facts, func: FuncDef) -> list[ast.expr | None]:
    """What `func` returns when every ``return`` gives a list literal or a name bound once to
    one; ``[None]`` otherwise."""
    returns = [
        n.value
        for n in ast.walk(func)
        if isinstance(n, ast.Return) and facts.function_of(n) is func and n.value is not None
    ]
    out: list[ast.expr | None] = []
    for value in returns:
        built: ast.expr | None = value
        if isinstance(value, ast.Name):
            bound = assigned_values(facts, value.id, value)
            if bound == [None]:
                grown = grown_list(facts, value.id, value)
                if grown is not None:  # ``groups = [...]`` then ``groups += [...]`` in a loop
                    bound = [ast.copy_location(ast.List(elts=list(grown), ctx=ast.Load()), value)]
            if len(bound) != 1:
                return [None]
            built = bound[0]
        if not isinstance(built, (ast.List, ast.Tuple)):
            return [None]
        out.append(built)
    return out or [None]


def group_dicts(facts: Facts, params: ast.expr | None) -> list[ast.Dict] | None:
    """The param-group dict literals of every way the file builds them (see
    `group_alternatives`), together."""
    alternatives = group_alternatives(facts, params)
    if alternatives is None:
        return None
    return [d for alt in alternatives for d in alt]


def assigned_values(facts: Facts, name: str, at: ast.AST) -> list[ast.expr | None]:
    """Every value plain-assigned to `name` in the function enclosing `at` (else at module
    level), in source order; ``[None]`` when it is also changed in another way."""
    scope = facts.function_of(at)
    for where in (scope, facts.tree) if scope is not facts.tree else (facts.tree,):
        values: list[ast.expr | None] = []
        for node in facts.assigns:
            if facts.function_of(node) is not where:
                continue
            if isinstance(node, ast.AugAssign):
                if isinstance(node.target, ast.Name) and node.target.id == name:
                    return [None]
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id == name:
                    values.append(node.value)
                elif name in assigned_names(t):
                    element = _unpacked(t, node.value, name)
                    if element is None:
                        return [None]
                    values.append(element)
        if values:
            return values
        if where is scope and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = scope.args
            if any(a.arg == name for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]):
                return [None]
    return [None]


def _unpacked(target: ast.expr, value: ast.expr | None, name: str) -> ast.expr | None:
    """The element of a literal tuple `value` that ``B, T = 16, 1024`` binds to `name`; None
    when the two sides do not pair up one to one (a call's result, a starred element)."""
    if not (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
    ):
        return None
    for t, v in zip(target.elts, value.elts, strict=True):
        if isinstance(t, ast.Name) and t.id == name:
            return v
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
    """The weight decays this optimizer applies (top level and per group, over every way the
    groups are built); None if not visible.

    Each value is a float when the file shows it, else the expression itself (``args.wd``).
    None means the decay cannot be read at all (``**kwargs`` the file does not show, a group
    dict uses ``**``, a non-numeric constant). The top-level value counts only when explicit (an
    omitted one is the class default, which is 0 for the coupled-decay optimizers and not
    reported for the others).
    """
    alternatives = decay_alternatives(facts, call, cls)
    if alternatives is None:
        return None
    return tuple(v for alt in alternatives for v in alt)


def added_groups(facts: Facts, call: ast.Call) -> list[ast.Dict]:
    """Param-group dicts added to the optimizer this call builds, later in the same function:
    ``optimizer.add_param_group({"params": ..., "weight_decay": ...})``."""
    parent = facts.parents.get(call)
    if not isinstance(parent, ast.Assign):
        return []
    names = {n for t in parent.targets for n in assigned_names(t)}
    scope = facts.function_of(call)
    out = []
    for c in facts.calls:
        rec = receiver(c)
        if (
            call_name(c) == "add_param_group"
            and rec is not None
            and dotted(rec) in names
            and c.args
            and (group := as_group(facts, c.args[0])) is not None
            and facts.function_of(c) is scope
        ):
            out.append(group)
    return out


def _group_values(
    facts: Facts, call: ast.Call, groups: list[ast.Dict], top: Decay
) -> list[Decay] | None:
    values: list[Decay] = []
    for g in groups:
        v = dict_get(g, "weight_decay")
        if v is None and any(k is None for k in g.keys):
            return None
        n = top if v is None else decay_value(facts, v, g)
        if n is None:
            return None
        values.append(n)
    return values


def default_decay(facts: Facts, call: ast.Call, cls: str) -> float:
    """The `weight_decay` a construction gets when it passes none: the torch.optim class default
    (AdamW's 0.01, Muon's 0.1, 0 for the others); 0 for other libraries' classes.

    A class bound to a config (``AdamW = argbind.bind(torch.optim.AdamW)``) gets its keywords
    from the project's configs and command lines: its default counts only when the linter sees
    the project (not a file alone) and none of them sets ``AdamW.weight_decay``; otherwise the
    value is not known and taken as 0 (nothing reported)."""
    own = _own_class_default(facts, call, cls)
    if own is not None:
        return own
    entry = TORCH_OPTIMIZERS.get(cls)
    if entry is None:
        return 0.0
    if config_binding(facts, call) is not None and _configured(facts, cls, "weight_decay"):
        return 0.0
    for name, q, _, _ in facts.optimizer_choices(call):
        if name == cls and q.startswith("torch.optim"):
            return entry.wd_default
    return 0.0


def _own_class_default(facts: Facts, call: ast.Call, cls: str) -> float | None:
    """For an optimizer class of the tree (a hand-written ``AdamW(torch.optim.Optimizer)``):
    the constant default of its ``__init__``'s ``weight_decay``; None for any other class."""
    found = class_of_call(facts, call)
    if found is None or found[1].name != cls:
        return None
    init = next(
        (s for s in found[1].body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
        None,
    )
    if init is None:
        return None
    args = init.args
    pos = [*args.posonlyargs, *args.args]
    defaults = dict(
        zip([a.arg for a in pos[len(pos) - len(args.defaults) :]], args.defaults, strict=True)
    )
    defaults.update(
        {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
    )
    node = defaults.get("weight_decay")
    value = const_number(found[0], node, node) if node is not None else None
    return value if value is not None else 0.0


def decay_alternatives(facts: Facts, call: ast.Call, cls: str) -> list[tuple[Decay, ...]] | None:
    """`decay_values` per way the param groups are built (one tuple of group decays each)."""
    if (
        has_star_kwargs(call)
        and kwarg(call, "weight_decay") is None
        and star_kwargs(facts, call) is None
    ):
        return None
    wd_node = weight_decay_arg(call, cls, facts)
    top = default_decay(facts, call, cls) if wd_node is None else decay_value(facts, wd_node, call)
    if top is None:
        return None
    alternatives = group_alternatives(facts, params_arg(call, facts))
    added = added_groups(facts, call)
    if alternatives is None:
        more = _group_values(facts, call, added, top)
        return None if more is None else [(top, *more)]
    out: list[tuple[Decay, ...]] = []
    for groups in alternatives:
        values = _group_values(facts, call, [*groups, *added], top)
        if values is None:
            return None
        out.append(tuple(values))
    return out


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
    called = _callers(facts, scope)
    for where, call in called:
        passed = passed_argument(call, scope, name, pos)
        if passed is None:
            if default is None:
                continue  # a call that omits a required argument fails before any step
            passed, where = default, facts
        if isinstance(passed, ast.Starred):
            values.append(passed)
            continue
        v = const_number(where, passed, passed)
        if v is None and where is not facts:
            # Passed from another file (``Agent(..., wd=args.wd)`` in train.py): not known here;
            # the finding names the parameter and its activity follows the caller.
            values.append(ast.Name(id=name, ctx=ast.Load()))
            continue
        values.append(passed if v is None else v)
    if default is not None and not values:
        v = const_number(facts, default, default)
        if v == 0 and not called and facts.project is not None:
            # a factory's knob (``def get(params, optimizer, ..., weight_decay=0)``) that nothing
            # in the linted tree calls: its callers pass the value; 0 is only the default
            return [ast.Name(id=name, ctx=ast.Load())]
        values.append(default if v is None else v)
    if not values:
        values.append(ast.Name(id=name, ctx=ast.Load()))  # only callers elsewhere: unknown
    return values


def _callers(facts: Facts, func: FuncDef) -> list[tuple[Facts, ast.Call]]:
    """The calls of `func`: the same file's, and in project mode those of the tree's other files
    (a class built elsewhere, ``Agent(..., wd=args.wd)``, counts for its ``__init__``)."""
    if facts.project is None:
        return [(facts, c) for c in calls_of(facts, func)]
    return callers(facts, func)


def flag_arg(call: ast.Call, cls: str) -> ast.expr | None:
    """The expression `call` passes for the decoupling flag of torch.optim class `cls`
    (``decoupled_weight_decay``, keyword or positional), or None (not passed, or no such flag)."""
    entry = TORCH_OPTIMIZERS.get(cls)
    if entry is None or entry.flag is None:
        return None
    node = kwarg(call, entry.flag)
    pos = entry.flag_index
    if node is None and pos is not None and len(call.args) > pos:
        before = call.args[: pos + 1]
        if not any(isinstance(a, ast.Starred) for a in before):
            node = call.args[pos]
    return node


def decoupled_flag(call: ast.Call, cls: str) -> bool | None:
    """Whether `call` turns on the decoupling flag of torch.optim class `cls`
    (``decoupled_weight_decay=True``): False when the class has no such flag or the call does not
    set it, the constant's truth value when set to a constant, None when decided at run time."""
    node = flag_arg(call, cls)
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return bool(node.value)
    return None  # decided at run time
