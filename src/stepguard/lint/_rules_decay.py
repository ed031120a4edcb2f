"""Weight-decay rules: SG101 (coupled decay), and what SG102 (`stepguard.lint._rules_groups`) and
SG103 (`stepguard.lint._rules_penalty`) share with it.

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

from stepguard.lint._autofix import Edit, remove_import_name
from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._config_builds import decay_builds, explain_config_builds
from stepguard.lint._facts import OptimizerChoice
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
    config_binding,
    const_number,
    decay_values,
    decoupled_flag,
    default_decay,
    dict_get,
    flag_arg,
    group_dicts,
    params_arg,
    switched_decay,
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
    """The first value not known statically, one that is not switched off by default first."""
    exprs = [v for v in values if isinstance(v, ast.expr)]
    return next((v for v in exprs if switched_decay(v) is None), exprs[0] if exprs else None)


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
    all_groups = (
        groups if groups is not None else (group_dicts(facts, params_arg(call, facts)) or [])
    )
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
        groups = group_dicts(facts, params_arg(call, facts)) or []
        if not groups or any(dict_get(g, "weight_decay") is None for g in groups):
            if config_binding(facts, call) is not None:
                return (
                    f" ({cls}'s default: bound with argbind, and no config or launch option of "
                    f"the project sets {cls}.weight_decay)"
                )
            return f" ({cls}'s default)"
    return ""


def choice_condition(test: ast.expr | None, polarity: bool, facts: Facts) -> list[Condition]:
    """The test that picks an optimizer class chosen at run time, as a condition."""
    if test is None:
        return []
    return [Condition(short(test, 50), (test,), facts, "true" if polarity else "false")]


def call_text(
    call: ast.Call,
    cls: str,
    wd_text: str,
    test: ast.expr | None,
    polarity: bool,
    facts: Facts | None = None,
) -> str:
    """How a message shows the construction: ``Adam(..., weight_decay=0.1)``,
    ``ZeroRedundancyOptimizer(optimizer_class=Adam, ..., weight_decay=0.1)``, for a class chosen
    at run time ``Adam(..., weight_decay=0.1) (`opt_cls` is Adam when `cfg.opt == 'adam'`)``, or
    for a class held in a parameter (`facts` given) ``... (`optimizer_fn` defaults to Adam)``."""
    if call_name(call) == "ZeroRedundancyOptimizer":
        return f"ZeroRedundancyOptimizer(optimizer_class={cls}, ..., {wd_text})"
    text = f"{cls}(..., {wd_text})"
    func = call.func
    if (
        facts is not None
        and test is None
        and isinstance(func, ast.Name)
        and func.id != cls
        and facts.local_value(func.id, call) is None
        and facts.parameter_default(func.id, call) is not None
    ):
        return f"{text} (`{func.id}` defaults to {cls}; a caller may pass another class)"
    key = _looked_up(call)
    if key is not None and test is not None:
        return f"{text} (`{short(call.func, 40)}` names the class: `{short(test, 60)}`)"
    if test is not None:
        when = f"`{short(test, 50)}`" + ("" if polarity else " is false")
        text += f" (`{short(call.func, 30)}` is {cls} when {when})"
    return text


def check_sg101(facts: Facts) -> list[Violation]:
    """SG101: Adam/NAdam/RAdam/Adamax/RMSprop/Adagrad/Adadelta from torch.optim whose weight_decay
    is > 0 or not known statically (and not in a decoupled mode), also when the class is chosen
    through a variable or sharded by ``ZeroRedundancyOptimizer``."""
    out = []
    for call in decay_builds(facts):
        for cls, q, test, polarity in _merged_lookups(facts, call):
            if cls not in COUPLED_DECAY or not q.startswith("torch.optim"):
                continue
            if decoupled_flag(call, cls) is not False:
                continue
            decays = _decays(decay_values(facts, call, cls))
            if decays is None:
                found = _from_callers(facts, call, cls, test, polarity)
                if found is not None:
                    out.append(found)
                    break
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
                shown = call_text(call, cls, _wd_text(wd, None), test, polarity, facts)
                message = f"{name}{shown} applies coupled L2 decay: {why}"
            else:
                shown = call_text(call, cls, _wd_text(None, expr), test, polarity, facts)
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
    return explain_config_builds(facts, out)


def _from_callers(
    facts: Facts, call: ast.Call, cls: str, test: ast.expr | None, polarity: bool
) -> Violation | None:
    """SG101 for a factory (``get_optimizer(name, params, lr, **kwargs)``) whose callers pass
    param groups that carry a weight decay > 0 (or one not known statically)."""
    from stepguard.lint._caller_groups import caller_group_decays

    found = caller_group_decays(facts, call)
    if not found:
        return None
    positive = [f for f in found if not isinstance(f[3], float) or f[3] > 0]
    if not positive:
        return None
    gf, g, node, value = max(positive, key=lambda f: f[3] if isinstance(f[3], float) else -1.0)
    where = f"{gf.path}:{g.lineno}" if gf is not facts else f"line {g.lineno}"
    shown = f"{value:g}" if isinstance(value, float) else f"`{short(node, 40)}` (if it is > 0)"
    better = "torch.optim.AdamW" if cls in ("Adam", "Adamax") else "a decoupled-decay optimizer"
    message = (
        f"{_who(facts, call)}{cls}(...): its callers pass the param groups, and the group built "
        f"at {where} carries weight_decay={shown}, which {cls} applies as coupled L2 decay: the "
        "decay term is divided by the adaptive denominator, so large weights barely decay; use "
        f"{better} and re-tune the value"
    )
    conditions = [
        Condition("weight_decay", (node,), gf, ">0"),
        *choice_condition(test, polarity, facts),
    ]
    data = {"weight_decay": value} if isinstance(value, float) else _data(None, node)
    return violation(facts, call, "SG101", message, (), conditions, optimizer=cls, **data)


def _looked_up(call: ast.Call) -> ast.expr | None:
    """The name looked up by ``getattr(torch.optim, name, ...)(...)`` or ``OPTIMIZERS[name](...)``,
    or None."""
    f = call.func
    if isinstance(f, ast.Call) and isinstance(f.func, ast.Name) and f.func.id == "getattr":
        return f.args[1] if len(f.args) > 1 else None
    if isinstance(f, ast.Subscript):
        return f.slice
    return None


def _merged_lookups(facts: Facts, call: ast.Call) -> list[OptimizerChoice]:
    """`optimizer_choices`, with the coupled-decay classes a ``getattr(torch.optim, name)`` lookup
    may return merged into one choice whose test is ``name in (...)``: one finding, one condition."""
    choices = facts.optimizer_choices(call)
    key = _looked_up(call)
    if key is None or len(choices) < 2:
        return choices
    coupled = [
        c
        for c in choices
        if c[0] in COUPLED_DECAY
        and c[1].startswith("torch.optim")
        and decoupled_flag(call, c[0]) is False
        and isinstance(c[2], ast.Compare)
    ]
    if len(coupled) < 2:
        return choices
    names = [c[2].comparators[0] for c in coupled if isinstance(c[2], ast.Compare)]
    test = ast.copy_location(
        ast.Compare(left=key, ops=[ast.In()], comparators=[ast.Tuple(elts=names, ctx=ast.Load())]),
        key,
    )
    facts.parents[test] = call.func
    first = coupled[0]
    return [(first[0], first[1], test, True)]


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


def _data(wd: float | None, expr: ast.expr | None) -> dict[str, Any]:
    """Finding data: ``weight_decay`` (a float, or None when not known statically) and, when
    unknown, ``weight_decay_expr`` (its source text)."""
    if expr is None:
        return {"weight_decay": wd}
    return {"weight_decay": None, "weight_decay_expr": short(expr, 60)}
