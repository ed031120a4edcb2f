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

from stepguard.lint._autofix import Edit, remove_import_name
from stepguard.lint._base import Violation, violation
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
    binding,
    const_number,
    decay_values,
    decoupled_flag,
    dict_get,
    flag_arg,
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


def check_sg101(facts: Facts) -> list[Violation]:
    """SG101: Adam/NAdam/RAdam/Adamax/RMSprop/Adagrad/Adadelta from torch.optim whose weight_decay
    is > 0 or not known statically (and not in a decoupled mode)."""
    out = []
    for call in facts.optimizer_builds:
        cls = facts.optimizer_class(call)
        q = facts.resolve(call.func) or ""
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
            "the decay term is divided by the adaptive denominator, so large weights barely decay; "
            f"use {better} and {_retune(facts, call, wd, expr)}"
        )
        if expr is None:
            message = f"{name}{cls}(..., {_wd_text(wd, None)}) applies coupled L2 decay: {why}"
        else:
            message = (
                f"{name}{cls}(..., {_wd_text(None, expr)}): the value is not known statically; "
                f"if it is > 0, {cls} applies coupled L2 decay: {why}"
            )
        edits = sg101_edits(facts, call, cls)
        data = _data(wd, expr)
        out.append(violation(facts, call, "SG101", message, edits, optimizer=cls, **data))
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


def _all_parameters(facts: Facts, node: ast.expr | None, depth: int = 0) -> str | None:
    """The model whose parameters `node` lists without any filter by name or shape, else None.

    ``model.parameters()``, ``list(model.parameters())``, ``filter(lambda p: p.requires_grad,
    model.parameters())``, ``[p for n, p in model.named_parameters()]`` (no ``if``), or a name bound
    to one of these.
    """
    if node is None or depth > 3:
        return None
    if isinstance(node, ast.Name):
        return _all_parameters(facts, binding(facts, node.id, node), depth + 1)
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name == "parameters" and isinstance(node.func, ast.Attribute) and not node.args:
            return short(node.func.value, 40)
        if name in ("list", "tuple") and len(node.args) == 1:
            return _all_parameters(facts, node.args[0], depth + 1)
        if name == "filter" and len(node.args) == 2 and _requires_grad_only(node.args[0]):
            return _all_parameters(facts, node.args[1], depth + 1)
        return None
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
        gen = node.generators[0]
        it = gen.iter
        if (
            isinstance(it, ast.Call)
            and call_name(it) in ("parameters", "named_parameters")
            and all(_requires_grad_only_test(c) for c in gen.ifs)
            and isinstance(it.func, ast.Attribute)
        ):
            return short(it.func.value, 40)
    return None


def _requires_grad_only(fn: ast.expr) -> bool:
    return isinstance(fn, ast.Lambda) and _requires_grad_only_test(fn.body)


def _requires_grad_only_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Attribute) and test.attr == "requires_grad"


def check_sg102(facts: Facts) -> list[Violation]:
    """SG102: weight_decay > 0 on ``model.parameters()`` (or all named parameters), no no-decay group."""
    out = []
    for call in facts.optimizer_builds:
        cls = facts.optimizer_class(call)
        if cls is None:
            continue
        values = decay_values(facts, call, cls)
        if not values or any(isinstance(v, float) and v <= 0 for v in values):
            continue  # not visible, no decay, or some group already without decay
        wd, expr = _known(values, "min"), _unknown(values)
        params = params_arg(call)
        groups = group_dicts(facts, params)
        if groups is None:
            models = [_all_parameters(facts, params)]
        else:
            models = [_all_parameters(facts, dict_get(g, "params")) for g in groups]
        if not models or any(m is None for m in models):
            continue
        name = _who(facts, call)
        source = ", ".join(sorted({f"{m}.parameters()" for m in models if m}))
        what = (
            f"{cls}(..., {_wd_text(wd, None)}) decays"
            if expr is None
            else f"{cls}(..., {_wd_text(None, expr)}): the value is not known statically; "
            "if it is > 0, it decays"
        )
        message = (
            f"{name}{what} every parameter of {source}, "
            "including biases and normalization/embedding weights; build groups with "
            "stepguard.param_groups(model, weight_decay=...)"
        )
        if expr is not None:
            wd = None
        out.append(violation(facts, call, "SG102", message, optimizer=cls, **_data(wd, expr)))
    return out


def _data(wd: float | None, expr: ast.expr | None) -> dict[str, Any]:
    """Finding data: ``weight_decay`` (a float, or None when not known statically) and, when
    unknown, ``weight_decay_expr`` (its source text)."""
    if expr is None:
        return {"weight_decay": wd}
    return {"weight_decay": None, "weight_decay_expr": short(expr, 60)}


_SQUARES = ("pow", "square", "norm")


def _is_square_of(node: ast.AST, var: str) -> bool:
    """`node` contains ``var ** 2``, ``var.pow(2)``, ``var.square()``, ``var.norm()`` or
    ``torch.norm(var)`` (an L2 term of the parameter `var`)."""
    for n in walk(node):
        if (
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Pow)
            and isinstance(n.left, ast.Name)
            and n.left.id == var
        ):
            return True
        if isinstance(n, ast.Call) and call_name(n) in _SQUARES:
            f = n.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == var:
                return True
            if any(isinstance(a, ast.Name) and a.id == var for a in n.args):
                return True
    return False


def _param_var(facts: Facts, gen: ast.comprehension) -> str | None:
    """The parameter variable of ``for p in m.parameters()`` / ``for n, p in m.named_parameters()``."""
    it = gen.iter
    if not isinstance(it, ast.Call) or call_name(it) not in ("parameters", "named_parameters"):
        return None
    t = gen.target
    if isinstance(t, ast.Tuple) and len(t.elts) == 2 and isinstance(t.elts[1], ast.Name):
        return t.elts[1].id
    return t.id if isinstance(t, ast.Name) else None


def check_sg103(facts: Facts) -> list[Violation]:
    """SG103: an L2 penalty over parameters added to a loss while the optimizer decays them."""
    decaying: list[tuple[ast.Call, str, float | None, ast.expr | None]] = []
    for call in facts.optimizer_builds:
        cls = facts.optimizer_class(call)
        decays = _decays(decay_values(facts, call, cls)) if cls else None
        if cls and decays is not None:
            decaying.append((call, cls, *decays))
    if not decaying:
        return []
    # A visible decay > 0 is the stronger statement: prefer it over one not known statically.
    decaying.sort(key=lambda d: d[2] is None)
    out = []
    opt_call, cls, wd, expr = decaying[0]
    who = _target(facts, opt_call) or cls
    for node in walk(facts.tree):
        penalty: ast.AST | None = None
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and len(node.generators) == 1:
            var = _param_var(facts, node.generators[0])
            if var is not None and _is_square_of(node.elt, var):
                penalty = node
        elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Call):
            comp = ast.comprehension(target=node.target, iter=node.iter, ifs=[], is_async=0)
            var = _param_var(facts, comp)
            if var is not None:
                for s in node.body:
                    if isinstance(s, (ast.AugAssign, ast.Assign)) and _is_square_of(s.value, var):
                        penalty = node
                        break
        if penalty is None or not _added_to_loss(facts, penalty):
            continue
        what = short(_penalty_iter(penalty), 40)
        if expr is None:
            applies = f"already applies {_wd_text(wd, None)}: parameters are regularized twice"
        else:
            applies = (
                f"applies {_wd_text(None, expr)} (not known statically): if it is > 0, "
                "parameters are regularized twice"
            )
        message = (
            f"an L2 penalty over `{what}` is added to the loss "
            f"while `{who}` (line {opt_call.lineno}) {applies}; drop the penalty"
        )
        out.append(violation(facts, penalty, "SG103", message, **_data(wd, expr)))
    return out


def _penalty_iter(penalty: ast.AST) -> ast.AST:
    if isinstance(penalty, (ast.GeneratorExp, ast.ListComp)):
        return penalty.generators[0].iter
    if isinstance(penalty, (ast.For, ast.AsyncFor)):
        return penalty.iter
    return penalty


def _loss_like(facts: Facts, node: ast.AST) -> bool:
    """`node` mentions a loss: a name or attribute containing "loss", or a loss function call."""
    for n in walk(node):
        if isinstance(n, ast.Name) and "loss" in n.id.lower():
            return True
        if isinstance(n, ast.Attribute) and "loss" in n.attr.lower():
            return True
        if isinstance(n, ast.Call) and facts.is_loss_source(n):
            return True
    return False


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in walk(node))


def _added_to_loss(facts: Facts, penalty: ast.AST) -> bool:
    """The penalty is added to a loss: ``loss_expr + penalty``, ``loss += penalty``, or through a
    name (``reg = sum(...)``, ``for p in ...: reg += ...``) later added to a loss the same way."""
    node: ast.AST | None = penalty
    child: ast.AST = penalty
    while node is not None and not isinstance(node, ast.stmt):
        parent = facts.parents.get(node)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
            operand = parent.right if parent.left is node else parent.left
            if _loss_like(facts, operand):
                return True
        child = node
        node = parent
    if isinstance(penalty, (ast.For, ast.AsyncFor)):
        names = {
            n
            for s in penalty.body
            if isinstance(s, (ast.AugAssign, ast.Assign))
            for t in ([s.target] if isinstance(s, ast.AugAssign) else s.targets)
            for n in assigned_names(t)
        }
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {n for t in targets for n in assigned_names(t)}
    else:
        return (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and child is node.value
            and _loss_like(facts, node.target)
        )
    scope = facts.function_of(penalty)
    inside = {id(n) for n in walk(penalty)}
    for other in walk(scope):
        if id(other) in inside or getattr(other, "lineno", 0) < getattr(penalty, "lineno", 0):
            continue
        if isinstance(other, ast.BinOp) and isinstance(other.op, ast.Add):
            left, right = other.left, other.right
            if (_mentions(left, names) and _loss_like(facts, right)) or (
                _mentions(right, names) and _loss_like(facts, left)
            ):
                return True
        if (
            isinstance(other, ast.AugAssign)
            and isinstance(other.op, ast.Add)
            and _mentions(other.value, names)
            and _loss_like(facts, other.target)
        ):
            return True
    return False
