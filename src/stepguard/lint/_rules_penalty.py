"""SG103 (double regularization): an explicit L2 penalty over parameters added to a loss while
the optimizer already decays them.

The penalty is a sum of squares or norms over ``X.parameters()`` (a generator, or a loop that
accumulates), added to something loss-like directly or through a name; or a function or method
that returns such a penalty (``model.l2()``), defined in this file or, in project mode, in another
file of the tree. The finding depends on the optimizer's decay being > 0.
"""

from __future__ import annotations

import ast

from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._rules_decay import _data, _decays, _target, _wd_text, decay_condition
from stepguard.lint._scan import Facts, assigned_names, call_name, short, walk
from stepguard.lint._values import decay_values

__all__ = ["check_sg103"]


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
        if isinstance(n, ast.Call) and call_name(n) in _SQUARES and _l2_order(n):
            f = n.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == var:
                return True
            if any(isinstance(a, ast.Name) and a.id == var for a in n.args):
                return True
    return False


def _l2_order(call: ast.Call) -> bool:
    """A ``norm`` call is an L2 norm: no order, ``2`` / ``2.0`` or ``"fro"`` (``p.norm(1)``,
    ``torch.norm(p, p=1)`` are L1: an elastic-net term, not a second L2). Other calls pass."""
    if call_name(call) != "norm":
        return True
    order = next((kw.value for kw in call.keywords if kw.arg in ("p", "ord")), None)
    if order is None:
        # `p.norm(1)`: the order is the first argument; `torch.norm(p, 1)`: the second.
        index = 0 if isinstance(call.func, ast.Attribute) and _method_on_tensor(call) else 1
        order = call.args[index] if len(call.args) > index else None
    if order is None:
        return True
    return isinstance(order, ast.Constant) and order.value in (2, 2.0, "fro")


def _method_on_tensor(call: ast.Call) -> bool:
    """``p.norm(...)`` rather than ``torch.norm(p, ...)`` / ``torch.linalg.norm(p, ...)``."""
    f = call.func
    assert isinstance(f, ast.Attribute)
    head = f.value
    while isinstance(head, ast.Attribute):
        head = head.value
    return not (isinstance(head, ast.Name) and head.id in ("torch", "th", "np", "linalg", "LA"))


def _unsquared(penalty: ast.AST) -> bool:
    """The penalty sums L2 norms, not their squares (``l2 = l2 + torch.norm(p)``,
    ``sum(p.norm(2) for p in ...)``): no power, ``pow`` or ``square`` anywhere in its terms."""
    terms: list[ast.AST]
    if isinstance(penalty, (ast.GeneratorExp, ast.ListComp)):
        terms = [penalty.elt]
    elif isinstance(penalty, (ast.For, ast.AsyncFor)):
        terms = [s.value for s in _body_assigns(penalty)]
    else:
        return False
    has_norm = any(
        isinstance(n, ast.Call) and call_name(n) == "norm" for t in terms for n in walk(t)
    )
    squared = any(
        (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow))
        or (isinstance(n, ast.Call) and call_name(n) in ("pow", "square"))
        for t in terms
        for n in walk(t)
    )
    return has_norm and not squared


def _param_var(facts: Facts, gen: ast.comprehension) -> str | None:
    """The parameter variable of ``for p in m.parameters()`` / ``for n, p in m.named_parameters()``."""
    it = gen.iter
    if not isinstance(it, ast.Call) or call_name(it) not in ("parameters", "named_parameters"):
        return None
    t = gen.target
    if isinstance(t, ast.Tuple) and len(t.elts) == 2 and isinstance(t.elts[1], ast.Name):
        return t.elts[1].id
    return t.id if isinstance(t, ast.Name) else None


def _penalty_node(facts: Facts, node: ast.AST) -> ast.AST | None:
    """`node` when it is an L2 term over parameters: a generator of squares / norms over
    ``X.parameters()``, or a loop over them accumulating such terms."""
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and len(node.generators) == 1:
        var = _param_var(facts, node.generators[0])
        if var is not None and _is_square_of(node.elt, var):
            return node
    elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Call):
        comp = ast.comprehension(target=node.target, iter=node.iter, ifs=[], is_async=0)
        var = _param_var(facts, comp)
        if var is not None:
            for s in _body_assigns(node):
                if _is_square_of(s.value, var):
                    return node
    elif _squared_vector(facts, node):
        return node
    return None


def _body_assigns(loop: ast.For | ast.AsyncFor) -> list[ast.Assign | ast.AugAssign]:
    """The assignments in `loop`'s body, also under its ``if`` blocks (``if "weight" in n: l2 +=
    p.norm() ** 2``); not inside nested functions."""
    out: list[ast.Assign | ast.AugAssign] = []
    todo: list[ast.stmt] = list(loop.body)
    while todo:
        stmt = todo.pop(0)
        if isinstance(stmt, (ast.Assign, ast.AugAssign)):
            out.append(stmt)
        elif isinstance(stmt, ast.If):
            todo += [*stmt.body, *stmt.orelse]
    return out


_FLATTEN = ("cat", "stack", "parameters_to_vector")


def _squared_vector(facts: Facts, node: ast.AST) -> bool:
    """`node` squares or norms the parameters flattened into one vector:
    ``torch.cat([p.view(-1) for p in m.parameters()]).pow(2).sum()``,
    ``parameters_to_vector(m.parameters()).norm()``, ``torch.norm(torch.cat(...)) ** 2``."""
    operands: list[ast.AST] = []
    if isinstance(node, ast.Call) and call_name(node) in _SQUARES:
        f = node.func
        operands = [f.value] if isinstance(f, ast.Attribute) else []
        operands += node.args[:1]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        operands = [node.left]
    for operand in operands:
        if isinstance(operand, ast.Name):  # `flat = torch.cat([...])` ... `flat.pow(2)`
            operand = facts.local_value(operand.id, operand) or operand
        if isinstance(operand, ast.Call) and call_name(operand) in _FLATTEN and operand.args:
            inner = operand.args[0]
            if isinstance(inner, ast.Call) and call_name(inner) == "parameters":
                return True
            if (
                isinstance(inner, (ast.ListComp, ast.GeneratorExp))
                and len(inner.generators) == 1
                and _param_var(facts, inner.generators[0]) is not None
            ):
                return True
    return False


def _penalty_functions(facts: Facts) -> dict[str, ast.AST]:
    """Functions and methods that return an L2 term over parameters (``def l2(self): return
    sum((p ** 2).sum() for p in self.parameters())``), by name -> the term."""
    cached = facts.cache.get("penalty_functions")
    if isinstance(cached, dict):
        return cached
    out: dict[str, ast.AST] = {}
    for node in walk(facts.tree):
        penalty = _penalty_node(facts, node)
        if penalty is None:
            continue
        func = facts.function_of(penalty)
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        names = _accumulated(penalty)
        for ret in walk(func):
            if not isinstance(ret, ast.Return) or ret.value is None:
                continue
            if any(n is penalty for n in walk(ret.value)) or any(
                isinstance(n, ast.Name) and n.id in names for n in walk(ret.value)
            ):
                out[func.name] = penalty
    facts.cache["penalty_functions"] = out
    return out


def _accumulated(penalty: ast.AST) -> set[str]:
    """Names the penalty is assigned or accumulated into (``reg = sum(...)``, ``reg += ...``)."""
    if isinstance(penalty, (ast.For, ast.AsyncFor)):
        return {
            n
            for s in _body_assigns(penalty)
            for t in ([s.target] if isinstance(s, ast.AugAssign) else s.targets)
            for n in assigned_names(t)
        }
    return set()


def _penalty_calls(facts: Facts) -> list[tuple[ast.Call, ast.AST]]:
    """Calls of a penalty function (this file, or in project mode a method or function defined in
    another file of the tree) whose result is added to a loss."""
    local = _penalty_functions(facts)
    out: list[tuple[ast.Call, ast.AST]] = []
    for call in facts.calls:
        name = call_name(call)
        if not name:
            continue
        if call.args and isinstance(call.func, ast.Attribute):
            module = _penalty_module(facts, call)
            if module is not None and _added_to_loss(facts, call):
                out.append((call, module))
            continue
        penalty = local.get(name)
        if penalty is None and facts.project is not None and isinstance(call.func, ast.Attribute):
            penalty = _project_penalty(facts, name)
        if penalty is not None and _added_to_loss(facts, call):
            out.append((call, penalty))
    return out


def _penalty_module(facts: Facts, call: ast.Call) -> ast.AST | None:
    """The L2 term of a loss module the call runs (``reg_loss = self.reg_loss_fn(self.model)``
    with ``self.reg_loss_fn = RegularizationLoss(...)``, a class of the tree whose ``forward``
    sums ``p ** 2`` over the parameters it is given), else None."""
    from stepguard.lint._objects import instance_class

    if "(" not in facts.source or not isinstance(call.func, ast.Attribute):
        return None
    found = instance_class(facts, call.func)
    if found is None:
        return None
    owner, cls = found
    forward = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "forward"), None
    )
    if forward is None:
        return None
    penalty = _penalty_functions(owner).get("forward")
    if penalty is None or owner.function_of(penalty) is not forward:
        return None
    modules = facts.cache.setdefault("penalty_modules", {})
    assert isinstance(modules, dict)
    modules[id(call)] = (owner, _inner_weight(penalty))
    return penalty


def _inner_weight(penalty: ast.AST) -> ast.expr | None:
    """The factor of the squared term inside a penalty loop (``reg += self.dense_l2 *
    torch.sum(p ** 2)``): an attribute or name, else None."""
    for node in walk(penalty):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for mine, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(other, (ast.Name, ast.Attribute)) and any(
                    isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in walk(mine)
                ):
                    return other
    return None


def _project_penalty(facts: Facts, name: str) -> ast.AST | None:
    project = facts.project
    if project is None:
        return None
    cache = facts.cache.setdefault("project_penalties", {})
    assert isinstance(cache, dict)
    if name not in cache:
        found = None
        needle = f"def {name}("
        for path in project.files:
            text = project.text(path)
            if text is None or needle not in text or path == facts.path:
                continue
            other = project.definitions(path)
            if other is not None and name in _penalty_functions(other):
                found = _penalty_functions(other)[name]
                break
        cache[name] = found
    return cache[name]


def _key(facts: Facts, node: ast.AST) -> str | None:
    """The string a subscript key stands for: a literal, a module constant of this file, or in
    project mode a constant imported from another file of the tree (``LOSS_L2``)."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if not isinstance(node, ast.Name):
        return None
    value = facts.local_value(node.id, facts.tree)
    if value is None and node.id in facts.aliases and facts.project is not None:
        found = facts.project.lookup(facts, facts.aliases[node.id])
        value = found[1] if found is not None and isinstance(found[1], ast.expr) else None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if value is None and node.id in facts.aliases:
        # a key constant imported from a module outside the linted tree: files that import the
        # same name from the same module use the same key
        return "@" + facts.aliases[node.id]
    return None


def _stored_penalties(facts: Facts) -> dict[str, str]:
    """Keys under which this file stores a penalty in a dict (``out[LOSS_L2] = self.l2(out)``,
    typically in a model's forward), with where (for messages)."""
    cached = facts.cache.get("stored_penalties")
    if isinstance(cached, dict):
        return cached
    out: dict[str, str] = {}
    local = _penalty_functions(facts)
    if local:
        for node in facts.assigns:
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            if (
                isinstance(target, ast.Subscript)
                and isinstance(value, ast.Call)
                and call_name(value) in local
                and (key := _key(facts, target.slice)) is not None
            ):
                out[key] = f"`{short(node, 50)}` ({facts.path}:{node.lineno})"
    facts.cache["stored_penalties"] = out
    return out


def _penalty_reads(facts: Facts) -> list[tuple[ast.AST, ast.Subscript, str]]:
    """Reads ``out[KEY]`` added to a loss, where some file of the tree (this one, or in project
    mode another) stores a penalty over parameters under that key: (where it is added, the
    read, where it was stored)."""
    out: list[tuple[ast.AST, ast.Subscript, str]] = []
    for node in facts.assigns:
        value = node.value
        if not isinstance(value, ast.Subscript):
            continue
        key = _key(facts, value.slice)
        if key is None:
            continue
        where = _stored_penalties(facts).get(key) or _project_stored(facts, key, value.slice)
        added = _added_at(facts, value) if where is not None else None
        if where is not None and added is not None:
            out.append((added, value, where))
    return out


def _project_stored(facts: Facts, key: str, written: ast.AST) -> str | None:
    project = facts.project
    if project is None:
        return None
    cache = project.cache.setdefault("stored_penalties", {})
    if key not in cache:
        found = None
        needles = [f'"{key}"', f"'{key}'"]
        if isinstance(written, ast.Name):
            needles.append(written.id)
        for path in project.files:
            text = project.text(path)
            if path == facts.path or text is None or not any(n in text for n in needles):
                continue
            other = project.definitions(path)
            if other is not None and key in _stored_penalties(other):
                found = _stored_penalties(other)[key]
                break
        cache[key] = found
    result = cache[key]
    return result if isinstance(result, str) else None


def check_sg103(facts: Facts) -> list[Violation]:
    """SG103: an L2 penalty over parameters added to a loss (directly, or through a function or
    method that returns it) while the optimizer decays them."""
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
    found: list[tuple[ast.AST, ast.AST, str, ast.AST]] = []  # (report at, penalty, how, anchor)
    for node in walk(facts.tree):
        penalty = _penalty_node(facts, node)
        added = _added_at(facts, penalty) if penalty is not None else None
        if penalty is not None and added is not None:
            found.append((_report_at(facts, penalty, added), penalty, "", penalty))
    modules: dict[int, tuple[Facts, ast.expr | None]] = facts.cache.setdefault(
        "penalty_modules", {}
    )  # type: ignore[assignment]
    for call, penalty in _penalty_calls(facts):
        at: ast.AST = call
        if id(call) in modules:
            # a loss module's result joins the loss in a later statement: reported there
            added = _added_at(facts, call)
            while added is not None and not isinstance(added, ast.stmt):
                added = facts.parents.get(added)
            at = added or call
        found.append((at, penalty, f" (through `{short(call, 40)}`)", call))
    for added, read, where in _penalty_reads(facts):
        found.append((added, read, f" (stored by {where})", added))
    for at, penalty, through, anchor in found:
        paired = _optimizer_for(facts, at, decaying)
        if paired is None:
            continue
        opt_call, cls, wd, expr = paired
        who = _target(facts, opt_call) or cls
        what = short(_penalty_iter(penalty, facts), 40)
        if expr is None:
            applies = f"already applies {_wd_text(wd, None)}: parameters are regularized twice"
        else:
            applies = (
                f"applies {_wd_text(None, expr)} (not known statically): if it is > 0, "
                "parameters are regularized twice"
            )
        kind = "an L2 penalty"
        if _unsquared(penalty):
            kind = (
                "an L2-norm penalty (a sum of unsquared norms ||p||, not of squares: it pulls "
                "every tensor toward 0 at a rate independent of its size)"
            )
        message = (
            f"{kind} over `{what}`{through} is added to the loss "
            f"while `{who}` (line {opt_call.lineno}) {applies}; drop the penalty"
        )
        conditions = [decay_condition(facts, opt_call, cls)]
        weight = _weight(facts, anchor, penalty)
        if weight is not None:
            # `loss + l2 * args.l2s`: the penalty regularizes only when its weight is > 0.
            conditions.append(Condition(_setting(weight), (weight,), facts, ">0"))
        elif id(anchor) in modules:
            owner, inner = modules[id(anchor)]
            if inner is not None:  # the module's own factor (``self.dense_l2 * torch.sum(p**2)``)
                conditions.append(Condition(_setting(inner), (inner,), owner, ">0"))
        out.append(violation(facts, at, "SG103", message, (), conditions, **_data(wd, expr)))
    return out


def _assigned_to_loss(facts: Facts, node: ast.AST, names: set[str]) -> bool:
    """`node` is the value of an assignment to a loss-like name that is not the penalty's own
    accumulator (``loss = model.nll(x) + l2_reg * lam``)."""
    stmt = facts.parents.get(node)
    if not isinstance(stmt, ast.Assign) or stmt.value is not node:
        return False
    targets = {n for t in stmt.targets for n in assigned_names(t)}
    return not (targets & names) and any(_loss_like(facts, t) for t in stmt.targets)


def _report_at(facts: Facts, penalty: ast.AST, added: ast.AST) -> ast.AST:
    """Where SG103 is reported: the statement that adds the penalty to the loss (``loss = loss +
    lam * l2``), where the corpora put it, not the loop or expression that builds the penalty; a
    loop that adds each term to the loss itself (``for p in ...: loss += lam * p.norm()``) is
    reported on that addition."""
    if isinstance(penalty, (ast.For, ast.AsyncFor)):
        for s in _body_assigns(penalty):
            target = s.target if isinstance(s, ast.AugAssign) else s.targets[0]
            if _loss_like(facts, target) and not _fresh_accumulator(facts, target, penalty):
                return s
    node: ast.AST | None = added
    while node is not None and not isinstance(node, ast.stmt):
        node = facts.parents.get(node)
    if node is None or any(n is penalty for n in walk(node)):
        return penalty  # built inside the statement that adds it: reported where it is
    return node


def _optimizer_for(
    facts: Facts,
    at: ast.AST,
    decaying: list[tuple[ast.Call, str, float | None, ast.expr | None]],
) -> tuple[ast.Call, str, float | None, ast.expr | None] | None:
    """The optimizer a penalty added at `at` regularizes twice with: among the optimizers built in
    the same function (else in the same class, else in the file), the decaying one; None when
    some of those candidates do not decay (which one the loss steps is not known: a GAN's two
    optimizers, or a training function next to another that decays)."""
    builds = facts.optimizer_builds
    scope = facts.function_of(at)
    candidates = [c for c in builds if facts.function_of(c) is scope]
    owner = facts.class_of(at)
    if not candidates and owner is not None:
        candidates = [c for c in builds if facts.class_of(c) is owner]
    if not candidates:
        candidates = list(builds)
    chosen = [d for d in decaying if any(d[0] is c for c in candidates)]
    if not chosen or len(chosen) < len(candidates):
        return None
    return chosen[0]


def _setting(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else short(node, 30)


def _weight(facts: Facts, at: ast.AST, penalty: ast.AST) -> ast.expr | None:
    """The factor the penalty is multiplied by where it is added to the loss (``l2 * self.l2s``,
    ``model.l2() * lam``), when it is a name or an attribute; None otherwise."""
    names: set[str] = set()
    stmt = facts.parents.get(penalty)
    if isinstance(stmt, ast.Assign):
        names = {n for t in stmt.targets for n in assigned_names(t)}
    for node in [*walk(at), *_parents(facts, at, 2)]:
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)):
            continue
        for mine, other in ((node.left, node.right), (node.right, node.left)):
            if (mine is penalty or mine is at or _mentions(mine, names)) and isinstance(
                other, (ast.Name, ast.Attribute)
            ):
                return other
    return None


def _parents(facts: Facts, node: ast.AST, n: int) -> list[ast.AST]:
    out: list[ast.AST] = []
    p = facts.parents.get(node)
    while p is not None and len(out) < n and not isinstance(p, ast.stmt):
        out.append(p)
        p = facts.parents.get(p)
    return out


def _penalty_iter(penalty: ast.AST, facts: Facts | None = None) -> ast.AST:
    if isinstance(penalty, (ast.GeneratorExp, ast.ListComp)):
        return penalty.generators[0].iter
    if isinstance(penalty, (ast.For, ast.AsyncFor)):
        return penalty.iter
    for n in walk(penalty):
        if isinstance(n, ast.Call) and call_name(n) in ("parameters", "named_parameters"):
            return n
        if isinstance(n, ast.Name) and facts is not None:
            bound = facts.local_value(n.id, n)
            if bound is not None and bound is not penalty:
                found = _penalty_iter(bound)
                if found is not bound:
                    return found
    return penalty


def _loss_like(facts: Facts, node: ast.AST) -> bool:
    """`node` mentions a loss: a name, attribute or dict key containing "loss", or a loss
    function call."""
    for n in walk(node):
        if isinstance(n, ast.Name) and "loss" in n.id.lower():
            return True
        if isinstance(n, ast.Attribute) and "loss" in n.attr.lower():
            return True
        if (
            isinstance(n, ast.Subscript)
            and isinstance(n.slice, ast.Constant)
            and "loss" in str(n.slice.value).lower()
        ):
            return True
        if isinstance(n, ast.Call) and facts.is_loss_source(n):
            return True
    return False


def _fresh_accumulator(facts: Facts, target: ast.expr, loop: ast.For | ast.AsyncFor) -> bool:
    """`target` is a penalty's own accumulator, started at zero just before `loop` (``loss_r = 0``
    then ``for p in model.parameters(): loss_r += torch.sum(p ** 2)``), not the loss itself: the
    penalty joins the loss later, where it is reported."""
    if not isinstance(target, ast.Name):
        return False
    body = getattr(facts.parents.get(loop), "body", None)
    if not isinstance(body, list) or loop not in body:
        return False
    for stmt in reversed(body[: body.index(loop)]):
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == target.id for t in stmt.targets
        ):
            value = stmt.value
            if isinstance(value, ast.Call) and call_name(value) in (
                "tensor",
                "zeros",
                "zeros_like",
            ):
                value = value.args[0] if value.args else value
            return isinstance(value, ast.Constant) and value.value in (0, 0.0)
    return False


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in walk(node))


def _added_to_loss(facts: Facts, penalty: ast.AST) -> bool:
    """The penalty is added to a loss: ``loss_expr + penalty``, ``loss += penalty``, or through a
    name (``reg = sum(...)``, ``for p in ...: reg += ...``) later added to a loss the same way."""
    return _added_at(facts, penalty) is not None


def _added_at(facts: Facts, penalty: ast.AST) -> ast.AST | None:
    """Where the penalty is added to a loss (see `_added_to_loss`), or None."""
    node: ast.AST | None = penalty
    child: ast.AST = penalty
    while node is not None and not isinstance(node, ast.stmt):
        parent = facts.parents.get(node)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
            operand = parent.right if parent.left is node else parent.left
            if _loss_like(facts, operand):
                return parent
        child = node
        node = parent
    if isinstance(penalty, (ast.For, ast.AsyncFor)):
        names = _accumulated(penalty)
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {n for t in targets for n in assigned_names(t)}
    else:
        added = (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and child is node.value
            and _loss_like(facts, node.target)
        )
        return node if added else None
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
                return other
            if (_mentions(left, names) or _mentions(right, names)) and _assigned_to_loss(
                facts, other, names
            ):
                return other  # `loss = model.nll(x) + l2 * lam`: the sum is the loss
        if (
            isinstance(other, ast.AugAssign)
            and isinstance(other.op, ast.Add)
            and _mentions(other.value, names)
            and _loss_like(facts, other.target)
        ):
            return other
    return None
