"""Weight-decay rules: SG101 (coupled decay), SG102 (decay on every parameter), SG103 (L2 twice).

Each rule reads the optimizer constructions `scan` found and decides from what the file shows.
A `weight_decay` is either a number visible in the file (a literal, a module constant, a parameter
default together with the values the same file's call sites pass) or an expression whose value is
not known statically (``args.weight_decay``, ``cfg.optim.wd``, a parameter without default): the
rules report such a value as "if it is > 0" — the bug is in the code whenever the value is positive,
which is why it is configurable — and stay silent only when the value is provably 0.

SG101's safe fix (`sg101_edits`) lives here, next to its check.
"""

from __future__ import annotations

import ast
from typing import Any

from stepguard.lint._activity import branch_conditions
from stepguard.lint._autofix import Edit, remove_import_name
from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._models import (
    built_groups,
    holds_no_decay_parameters,
    only_adapters_trainable,
    selects_no_decay,
)
from stepguard.lint._scan import (
    Facts,
    assigned_names,
    call_name,
    dotted,
    has_star_kwargs,
    kwarg,
    short,
    walk,
)
from stepguard.lint._values import (
    COUPLED_DECAY,
    Decay,
    added_groups,
    assigned_values,
    const_number,
    decay_alternatives,
    decay_value,
    decay_values,
    decoupled_flag,
    default_decay,
    dict_get,
    flag_arg,
    group_alternatives,
    group_dicts,
    params_arg,
    weight_decay_arg,
)


def _target(facts: Facts, call: ast.Call) -> str | None:
    """The name an optimizer construction is assigned to (``opt``, ``self.optimizer``)."""
    parent = facts.parents.get(call)
    if isinstance(parent, ast.Assign):
        names = [n for t in parent.targets for n in assigned_names(t)]
        return names[0] if len(names) == 1 else None
    if isinstance(parent, ast.AnnAssign):
        return dotted(parent.target)
    if isinstance(parent, ast.Return):
        f = facts.function_of(call)
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return f"{f.name}()"
    return None


def _who(facts: Facts, call: ast.Call) -> str:
    """Message prefix naming where an optimizer goes: "`opt` = ", "`build()` returns "."""
    who = _target(facts, call)
    if who is None:
        return ""
    return f"`{who}` returns " if who.endswith("()") else f"`{who}` = "


def _known(values: tuple[Decay, ...], pick: str) -> float | None:
    known = [v for v in values if isinstance(v, float)]
    if not known:
        return None
    return max(known) if pick == "max" else min(known)


def _unknown(values: tuple[Decay, ...]) -> ast.expr | None:
    return next((v for v in values if isinstance(v, ast.expr)), None)


def _decays(values: tuple[Decay, ...] | None) -> tuple[float | None, ast.expr | None] | None:
    """Whether some group may decay: ``(largest known value > 0, None)``, else ``(None, the
    unknown expression)`` when a value is not known statically, else None (provably no decay)."""
    if not values:
        return None
    top = _known(values, "max")
    if top is not None and top > 0:
        return top, None
    unknown = _unknown(values)
    return None if unknown is None else (None, unknown)


def _wd_text(wd: float | None, expr: ast.expr | None) -> str:
    return (
        f"weight_decay={wd:g}"
        if wd is not None
        else f"weight_decay={short(expr or ast.Name(id='?'), 40)}"
    )


def decay_condition(
    facts: Facts, call: ast.Call, cls: str, groups: list[ast.Dict] | None = None
) -> Condition:
    """The finding bites when some `weight_decay` this construction passes is > 0 (the top-level
    value, or those of `groups` / of every param-group dict)."""
    exprs: list[ast.expr] = []
    top = weight_decay_arg(call, cls, facts)
    if top is not None:
        exprs.append(top)
    all_groups = groups if groups is not None else (group_dicts(facts, params_arg(call)) or [])
    all_groups = [*all_groups, *added_groups(facts, call)]
    for g in all_groups:
        v = dict_get(g, "weight_decay")
        if v is not None:
            exprs.append(v)
    if top is None and (
        not all_groups or any(dict_get(g, "weight_decay") is None for g in all_groups)
    ):
        default = default_decay(facts, call, cls)  # the class default applies
        exprs.append(ast.Constant(value=default, lineno=call.lineno, col_offset=call.col_offset))
    return Condition("weight_decay", tuple(exprs), facts, ">0")


def _default_note(facts: Facts, call: ast.Call, cls: str) -> str:
    """ " (its default)" when the construction passes no weight_decay and the class decays."""
    if weight_decay_arg(call, cls, facts) is None and default_decay(facts, call, cls) > 0:
        groups = group_dicts(facts, params_arg(call)) or []
        if not groups or any(dict_get(g, "weight_decay") is None for g in groups):
            return f" ({cls}'s default)"
    return ""


def choice_condition(test: ast.expr | None, polarity: bool, facts: Facts) -> list[Condition]:
    """The test that picks an optimizer class chosen at run time, as a condition."""
    if test is None:
        return []
    return [Condition(short(test, 50), (test,), facts, "true" if polarity else "false")]


def call_text(call: ast.Call, cls: str, wd_text: str, test: ast.expr | None, polarity: bool) -> str:
    """How a message shows the construction: ``Adam(..., weight_decay=0.1)``,
    ``ZeroRedundancyOptimizer(optimizer_class=Adam, ..., weight_decay=0.1)``, or for a class chosen
    at run time ``Adam(..., weight_decay=0.1) (`opt_cls` is Adam when `cfg.opt == 'adam'`)``."""
    if call_name(call) == "ZeroRedundancyOptimizer":
        return f"ZeroRedundancyOptimizer(optimizer_class={cls}, ..., {wd_text})"
    text = f"{cls}(..., {wd_text})"
    if test is not None:
        when = f"`{short(test, 50)}`" + ("" if polarity else " is false")
        text += f" (`{short(call.func, 30)}` is {cls} when {when})"
    return text


def check_sg101(facts: Facts) -> list[Violation]:
    """SG101: Adam/NAdam/RAdam/Adamax/RMSprop/Adagrad/Adadelta from torch.optim whose weight_decay
    is > 0 or not known statically (and not in a decoupled mode), also when the class is chosen
    through a variable or sharded by ``ZeroRedundancyOptimizer``."""
    out = []
    for call in facts.optimizer_builds:
        for cls, q, test, polarity in facts.optimizer_choices(call):
            if cls not in COUPLED_DECAY or not q.startswith("torch.optim"):
                continue
            if decoupled_flag(call, cls) is not False:
                continue
            decays = _decays(decay_values(facts, call, cls))
            if decays is None:
                continue
            wd, expr = decays
            name = _who(facts, call)
            better = (
                f"{cls}(..., decoupled_weight_decay=True)"
                if cls in ("NAdam", "RAdam") or flag_arg(call, cls) is not None
                else "torch.optim.AdamW"
                if cls in ("Adam", "Adamax")
                else "torch.optim.AdamW (decoupled decay)"
            )
            why = (
                "the decay term is divided by the adaptive denominator, so large weights barely "
                f"decay; use {better} and {_retune(facts, call, wd, expr)}"
            )
            if expr is None:
                shown = call_text(call, cls, _wd_text(wd, None), test, polarity)
                message = f"{name}{shown} applies coupled L2 decay: {why}"
            else:
                shown = call_text(call, cls, _wd_text(None, expr), test, polarity)
                message = (
                    f"{name}{shown}: the value is not known statically; if it is > 0, {cls} "
                    f"applies coupled L2 decay: {why}"
                )
            edits = sg101_edits(facts, call, cls) if test is None else ()
            data = _data(wd, expr)
            conditions = [
                decay_condition(facts, call, cls),
                *choice_condition(test, polarity, facts),
            ]
            out.append(
                violation(facts, call, "SG101", message, edits, conditions, optimizer=cls, **data)
            )
            break
    return out


def _retune(facts: Facts, call: ast.Call, wd: float | None, expr: ast.expr | None) -> str:
    """SG101's note on the value: kept as a decoupled decay it is not the same regulariser.

    Coupled L2 under an adaptive optimizer shrinks a weight by about ``lr * wd * w / g_rms`` per
    step (``g_rms``: the gradient RMS, Adam's ``sqrt(exp_avg_sq)``), decoupled decay by
    ``lr * wd * w``. The starting points are the formulas of `stepguard.weight_decay_for_timescale`
    and `stepguard.decay_timescale`, computed here in text (the linter does not import torch).
    """
    value = f"{wd:g}" if wd is not None else short(expr or ast.Name(id="wd"), 30)
    example = f" ({wd / 1e-3:g} at g_rms=1e-3)" if wd is not None else ""
    text = (
        f"re-tune the value: as a decoupled decay, {value} is usually much weaker (coupled decay "
        "is divided by the gradient RMS g_rms, typically far below 1); start near "
        f"weight_decay = {value} / g_rms{example}, or pick a decay timescale of tau steps: "
        "weight_decay = 1 / (lr * tau)"
    )
    lr_node = kwarg(call, "lr")
    if lr_node is None and len(call.args) > 1 and not isinstance(call.args[1], ast.Starred):
        lr_node = call.args[1]
    lr = const_number(facts, lr_node, call) if lr_node is not None else None
    if wd is not None and wd > 0 and lr is not None and lr > 0:
        text += f"; kept at {wd:g} with lr={lr:g}, tau = {1 / (lr * wd):,.0f} steps"
    return text


def sg101_edits(facts: Facts, call: ast.Call, cls: str) -> tuple[Edit, ...]:
    """Edits turning a coupled-decay optimizer into a decoupled one, or ``()`` if unsafe.

    * A call that sets the decoupling flag to a false constant
      (``Adam(..., decoupled_weight_decay=False)``, also positionally for NAdam/RAdam) gets it
      turned on: ``decoupled_weight_decay=True`` (never a second keyword, and never AdamW, whose
      constructor has no such flag).
    * NAdam/RAdam without the flag get ``decoupled_weight_decay=True`` appended.
    * ``Adam(...)`` -> ``AdamW(...)`` keeping every argument (same signature; when the decay is set
      only inside param groups, ``weight_decay=0.0`` is added so groups without one keep Adam's
      default of 0 instead of AdamW's 0.01): ``torch.optim.Adam`` -> ``torch.optim.AdamW``,
      ``optim.Adam`` -> ``optim.AdamW``, and a name imported with ``from torch.optim import Adam``
      -> ``AdamW``; the import gets ``AdamW`` (or reuses an existing alias), and ``Adam`` leaves the
      import when this was its last use, so no unused import is left behind.

    Other classes, and calls whose arguments are not all visible (``*args``, ``**kwargs``), have
    no safe rewrite. `stepguard.lint._engine.fix_source` applies a fix only when the result
    compiles and removes the finding.
    """
    if has_star_kwargs(call) or not (call.args or call.keywords):
        return ()
    if any(isinstance(a, ast.Starred) for a in call.args):
        return ()
    flag = flag_arg(call, cls)
    if flag is not None:
        if not isinstance(flag, ast.Constant):
            return ()
        return (Edit(*facts.text.span(flag), "True"),)
    if cls in ("NAdam", "RAdam"):
        _, end = max(facts.text.span(n) for n in [*call.args, *call.keywords])
        return (Edit(end, end, ", decoupled_weight_decay=True"),)
    if cls != "Adam":
        return ()
    # Decay only inside param groups: keep the other groups at Adam's default of 0, not AdamW's 0.01.
    extra: tuple[Edit, ...] = ()
    if weight_decay_arg(call, cls) is None:
        _, last = max(facts.text.span(n) for n in [*call.args, *call.keywords])
        extra = (Edit(last, last, ", weight_decay=0.0"),)
    func = call.func
    start, end = facts.text.span(func)
    if isinstance(func, ast.Attribute):
        if facts.resolve(func.value) != "torch.optim" or facts.source[end - 4 : end] != "Adam":
            return ()
        return (Edit(end - 4, end, "AdamW"), *extra)
    if not isinstance(func, ast.Name) or facts.resolve(func) != "torch.optim.Adam":
        return ()
    if func.id not in facts.aliases:
        return ()  # bound by a star import: leave it
    imp = _import_binding(facts, func.id, "torch.optim")
    last_use = not _used_elsewhere(facts, func)
    existing = [k for k, v in facts.aliases.items() if v == "torch.optim.AdamW"]
    if existing:
        rename = Edit(start, end, existing[0])
        if not last_use or imp is None:
            return (rename, *extra)
        index = next(i for i, a in enumerate(imp.names) if (a.asname or a.name) == func.id)
        drop = remove_import_name(facts.text, imp, index)
        return (rename, *drop, *extra) if drop else (rename, *extra)
    if _name_taken(facts, "AdamW"):
        return ()  # the name AdamW means something else here
    if imp is None:
        return ()
    if last_use:
        # `Adam` (or `Adam as A`) is used only here: the import names AdamW instead.
        alias = next(a for a in imp.names if (a.asname or a.name) == func.id)
        if getattr(alias, "end_lineno", None) is None:
            return ()
        return (Edit(*facts.text.span(alias), "AdamW"), Edit(start, end, "AdamW"), *extra)
    last_alias = imp.names[-1]
    if getattr(last_alias, "end_lineno", None) is None:
        return ()
    _, alias_end = facts.text.span(last_alias)
    return (Edit(start, end, "AdamW"), Edit(alias_end, alias_end, ", AdamW"), *extra)


def _used_elsewhere(facts: Facts, func: ast.Name) -> bool:
    """The name `func` is used anywhere but in this call (another call, ``del``, a re-export
    listed in ``__all__``), so its import must stay."""
    for n in walk(facts.tree):
        if isinstance(n, ast.Name) and n.id == func.id and n is not func:
            return True
        if (
            isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
            and "__all__" in [d for t in _targets(n) for d in assigned_names(t)]
            and n.value is not None
            and any(isinstance(c, ast.Constant) and c.value == func.id for c in walk(n.value))
        ):
            return True
    return False


def _targets(node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _import_binding(facts: Facts, local: str, module: str) -> ast.ImportFrom | None:
    """The first ``from module import ...`` that binds `local`."""
    found = [
        n
        for n in facts.parents
        if isinstance(n, ast.ImportFrom)
        and n.module == module
        and not n.level
        and any((a.asname or a.name) == local for a in n.names)
    ]
    return min(found, key=lambda n: (n.lineno, n.col_offset)) if found else None


def _name_taken(facts: Facts, name: str) -> bool:
    """`name` is bound or used as a bare name anywhere in the file."""
    if name in facts.aliases:
        return True
    for n in facts.parents:
        if isinstance(n, ast.Name) and n.id == name:
            return True
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name:
            return True
    return False


def _all_parameters(facts: Facts, node: ast.expr | None, depth: int = 0) -> list[ast.expr] | None:
    """The models whose parameters `node` lists without any filter by name or shape, else None.

    ``model.parameters()``, ``list(model.parameters())``, ``filter(lambda p: p.requires_grad,
    model.parameters())``, ``[p for n, p in model.named_parameters()]`` (no ``if``; the element
    may be a copy such as ``p.detach().clone().float()``), ``itertools.chain(a.parameters(),
    b.parameters())``, either side of ``x if cond else y``, or a name bound to one of these (in
    any branch).
    """
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Name):
        for value in assigned_values(facts, node.id, node):
            found = _all_parameters(facts, value, depth + 1)
            if found:
                return found
        return None
    if isinstance(node, ast.IfExp):
        return _all_parameters(facts, node.body, depth + 1) or _all_parameters(
            facts, node.orelse, depth + 1
        )
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name == "parameters" and isinstance(node.func, ast.Attribute) and not node.args:
            return [node.func.value]
        if name in ("list", "tuple") and len(node.args) == 1:
            return _all_parameters(facts, node.args[0], depth + 1)
        if name == "filter" and len(node.args) == 2 and _requires_grad_only(node.args[0]):
            return _all_parameters(facts, node.args[1], depth + 1)
        if name == "chain" and node.args:
            parts = [_all_parameters(facts, a, depth + 1) for a in node.args]
            if all(parts):
                return [m for part in parts if part for m in part]
        return None
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
        gen = node.generators[0]
        it = gen.iter
        if (
            isinstance(it, ast.Call)
            and call_name(it) in ("parameters", "named_parameters")
            and all(_requires_grad_only_test(c) for c in gen.ifs)
            and isinstance(it.func, ast.Attribute)
            and _copy_of_target(node.elt, gen.target)
        ):
            return [it.func.value]
    return None


def _copy_of_target(elt: ast.expr, target: ast.expr) -> bool:
    """`elt` is the loop's parameter, or a copy of it (``p.detach().clone().float()``)."""
    names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    while isinstance(elt, ast.Call) and isinstance(elt.func, ast.Attribute) and not elt.keywords:
        elt = elt.func.value
    return isinstance(elt, ast.Name) and elt.id in names


def _requires_grad_only(fn: ast.expr) -> bool:
    return isinstance(fn, ast.Lambda) and _requires_grad_only_test(fn.body)


def _requires_grad_only_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Attribute) and test.attr == "requires_grad"


def check_sg102(facts: Facts) -> list[Violation]:
    """SG102: weight_decay > 0 on ``model.parameters()`` (or all named parameters), no no-decay
    group, in some way the file builds the groups; silent when only adapters are trainable or the
    model visibly holds no bias, normalization or embedding parameter (`stepguard.lint._models`)."""
    out = []
    adapters: bool | None = None
    for call in facts.optimizer_builds:
        choices = facts.optimizer_choices(call)
        if not choices:
            continue
        cls = " or ".join(dict.fromkeys(c[0] for c in choices))
        params = params_arg(call)
        alternatives = group_alternatives(facts, params)
        options: list[tuple[list[ast.Dict] | None, list[list[ast.expr] | None]]]
        if alternatives is None:
            options = [(None, [_all_parameters(facts, params)])]
        else:
            options = [
                (g, [_all_parameters(facts, dict_get(d, "params")) for d in g])
                for g in alternatives
            ]
        all_values = decay_alternatives(facts, call, cls)
        if all_values is None or len(all_values) != len(options):
            continue
        for (groups, models), values in zip(options, all_values, strict=True):
            if not values:
                continue
            if any(isinstance(v, float) and v <= 0 for v in values) or any(
                m is None for m in models
            ):
                # Some group without decay, or one the linter cannot read: a group that holds
                # every parameter of some modules and decays them is still SG102.
                found = _whole_module_group(facts, call, cls, groups, models, values)
                if found is None:
                    continue
                if adapters is None:
                    adapters = only_adapters_trainable(facts)
                if adapters:
                    break
                out.append(found)
                break
            if adapters is None:
                adapters = only_adapters_trainable(facts)
            flat = [m for ms in models if ms for m in ms]
            if adapters or not all(holds_no_decay_parameters(facts, m, call) for m in flat):
                break
            out.append(_sg102(facts, call, cls, values, groups, flat))
            break
        else:
            found = _no_decay_group(facts, call, cls.split(" or ")[0])
            if found is not None:
                out.append(found)
    return out


def _whole_module_group(
    facts: Facts,
    call: ast.Call,
    cls: str,
    groups: list[ast.Dict] | None,
    models: list[list[ast.expr] | None],
    values: tuple[Decay, ...],
) -> Violation | None:
    """A param group that decays (> 0, or a value not known statically) and holds every parameter
    of some modules (``dict(params=model.conv1.parameters(), weight_decay=5e-4)``) that hold
    biases or normalization/embedding weights: they decay, whatever the other groups do."""
    if groups is None:
        return None
    for g, ms, v in zip(groups, models, values, strict=False):
        if not ms or (isinstance(v, float) and v <= 0):
            continue
        if not all(holds_no_decay_parameters(facts, m, call) for m in ms):
            continue
        name = cls.split(" or ")[0]
        node = dict_get(g, "weight_decay")
        shown = f"weight_decay={v:g}" if isinstance(v, float) else _wd_text(None, node or v)
        if node is None:
            shown += _default_note(facts, call, name) or " (the optimizer's value)"
        source = ", ".join(sorted({f"{short(m, 40)}.parameters()" for m in ms}))
        unknown = "" if isinstance(v, float) else " (not known statically; if it is > 0)"
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at line {g.lineno} decays every "
            f"parameter of {source} with {shown}{unknown}, including biases and "
            "normalization/embedding weights; give them a group with weight_decay=0.0 "
            "(stepguard.param_groups(model, weight_decay=...) builds both)"
        )
        conditions = [decay_condition(facts, call, name, [g])]
        data = {"weight_decay": v} if isinstance(v, float) else _data(None, node or v)
        return violation(facts, call, "SG102", message, (), conditions, optimizer=cls, **data)
    return None


def _no_decay_group(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """A param group that holds exactly the parameters that must not decay (`selects_no_decay`:
    an inverted no-decay filter, a list of biases) and gets a weight decay > 0."""
    params = params_arg(call)
    groups = [
        *(group_dicts(facts, params) or []),
        *added_groups(facts, call),
        *built_groups(facts, params, call),
    ]
    if not groups:
        return None
    top_node = weight_decay_arg(call, cls, facts)
    for g in groups:
        why = selects_no_decay(facts, g, dict_get(g, "params"))
        if why is None:
            continue
        node = dict_get(g, "weight_decay")
        inherited = node is None
        if node is None:
            node = top_node or ast.Constant(
                value=default_decay(facts, call, cls),
                lineno=call.lineno,
                col_offset=call.col_offset,
            )
        value = decay_value(facts, node, call)
        if value is None or (isinstance(value, float) and value <= 0):
            continue
        shown = f"{value:g}" if isinstance(value, float) else f"`{short(node, 40)}`"
        source = f"{cls}'s default" if inherited and top_node is None else "the optimizer's value"
        decay = f"weight_decay={shown}" + (f" ({source})" if inherited else "")
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at line {g.lineno} holds the "
            f"parameters that must not decay ({why}) but gets {decay}; give that group "
            "weight_decay=0.0 (or build the groups with stepguard.param_groups(model, ...))"
        )
        # The `if` blocks around the construction and around the group decide too.
        conditions = [
            Condition("weight_decay", (node,), facts, ">0"),
            *branch_conditions(facts, call),
        ]
        return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)
    return None


def _sg102(
    facts: Facts,
    call: ast.Call,
    cls: str,
    values: tuple[Decay, ...],
    groups: list[ast.Dict] | None,
    models: list[ast.expr],
) -> Violation:
    wd, expr = _known(values, "min"), _unknown(values)
    name = _who(facts, call)
    source = ", ".join(sorted({f"{short(m, 40)}.parameters()" for m in models}))
    if expr is None:
        wd_text = _wd_text(wd, None) + _default_note(facts, call, cls.split(" or ")[0])
        what = f"{call_text(call, cls, wd_text, None, True)} decays"
    else:
        what = (
            f"{call_text(call, cls, _wd_text(None, expr), None, True)}: the value is not "
            "known statically; if it is > 0, it decays"
        )
    if groups is not None and len(group_alternatives(facts, params_arg(call)) or []) > 1:
        what += f" (with the param groups built at line {groups[0].lineno})"
    message = (
        f"{name}{what} every parameter of {source}, "
        "including biases and normalization/embedding weights; build groups with "
        "stepguard.param_groups(model, weight_decay=...)"
    )
    if expr is not None:
        wd = None
    conditions = [decay_condition(facts, call, cls.split(" or ")[0], groups)]
    return violation(
        facts, call, "SG102", message, (), conditions, optimizer=cls, **_data(wd, expr)
    )


def _data(wd: float | None, expr: ast.expr | None) -> dict[str, Any]:
    """Finding data: ``weight_decay`` (a float, or None when not known statically) and, when
    unknown, ``weight_decay_expr`` (its source text)."""
    if expr is None:
        return {"weight_decay": wd}
    return {"weight_decay": None, "weight_decay_expr": short(expr, 60)}
