"""SG201: a loss backpropagated on every micro-batch of a window, never divided by its length.

The loss reaches the backward in many shapes; each is followed until it is visibly a
per-micro-batch mean loss that nothing divides, else the rule stays silent:

- a loss function (``F.cross_entropy``, an ``nn.*Loss`` object, ``criterion(...)``,
  ``outputs.loss``, ``out["loss"]``) or a name unpacked from a forward (``logits, loss =
  model(x, y)``);
- a name bound to one of these in the loop, an intermediate reduction of several mean losses
  (``torch.stack(losses).sum()``, ``sum(loss_dict.values())``), ``.mean()`` over data-parallel
  replicas;
- a helper (this file, a base class, or another file of the tree) whose every ``return`` is such
  a loss.

A sum-reduced loss (``reduction="sum"``) accumulates to the big-batch sum and is not reported,
nor is a window whose gradients are divided after the backwards (``p.grad /= k``). DeepSpeed and
Lightning scale the loss themselves; ``accelerator.backward`` does too when the ``Accelerator``
was given ``gradient_accumulation_steps`` (or a plugin), and is a plain backward otherwise.
"""

from __future__ import annotations

import ast

from stepguard.lint._backwards import wrapper_backward
from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._flow import exclusive
from stepguard.lint._objects import callee, passed_argument
from stepguard.lint._recompute import recomputed_full_batch
from stepguard.lint._scan import (
    Facts,
    FuncDef,
    assigned_names,
    call_name,
    dotted,
    kwarg,
    receiver,
    short,
    walk,
)
from stepguard.lint._window_rules import where_it_steps, window_condition, windows
from stepguard.lint._windows import Window

__all__ = ["check_sg201"]

_SCALING_OPS = (ast.Div, ast.Mult, ast.FloorDiv)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_REDUCE = ("sum", "mean")


def _scaled(node: ast.AST) -> bool:
    return any(isinstance(x, ast.BinOp) and isinstance(x.op, _SCALING_OPS) for x in walk(node))


class _Loss:
    """Follows a loss expression inside one scope (the window's loop, or a helper's body); with
    the `window`, a parameter of a function run once per micro-batch is followed to what its
    callers pass, and a per-sample weight is told apart from a division by the window length."""

    def __init__(
        self,
        facts: Facts,
        scope: ast.AST,
        window: Window | None = None,
        norms: frozenset[str] = frozenset(),
    ) -> None:
        self.facts = facts
        self.scope = scope
        self.window = window
        # Parameters of a helper that its caller gives the micro-batch's own item count
        # (``loss_compute(out, y, batch.ntokens)``): a division by one is a per-micro-batch mean.
        self.norms = norms
        self._following: set[str] = set()  # names whose bindings are being followed
        # Loss functions imported from outside the linted files, taken to return a mean.
        self.assumed: list[tuple[str, str]] = []

    def unscaled(self, expr: ast.AST, depth: int = 0) -> bool:
        """True only when `expr` is visibly a per-micro-batch loss never divided or multiplied."""
        facts = self.facts
        if depth > 8:
            return False
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, (ast.Add, ast.Sub)):
                return self.unscaled(expr.left, depth + 1) and self.unscaled(expr.right, depth + 1)
            if isinstance(expr.op, ast.Mult):
                for coef, loss in ((expr.left, expr.right), (expr.right, expr.left)):
                    if self._coefficient(coef) or _world_size(coef):
                        return self.unscaled(loss, depth + 1)
            if (
                isinstance(expr.op, ast.Div)
                and isinstance(expr.right, ast.Name)
                and expr.right.id in self.norms
            ):
                # `criterion(x, y) / norm`, norm the micro-batch's own token count: its mean
                return self.unscaled(expr.left, depth + 1)
            if isinstance(expr.op, ast.Div) and self._micro_count(expr.right):
                # `out["loss"] / out["effective_ntoken"]`: the count of the micro-batch the
                # loop just ran, so a mean over it, not the window's share.
                return self._summed_loss(expr.left)
            ratio = self._unit_ratio(expr)
            if ratio is None and self._masked_mean(expr) is not None:
                return True
            return ratio is not None and self.unscaled(ratio[0], depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, depth)
        if isinstance(expr, ast.Attribute) and self._stored(expr):
            # `self.loss, self.loss_items = self.model(batch)`: an attribute the loop binds is
            # a variable, not a model output's `.loss`; follow what it is bound to.
            return self._name(dotted(expr) or "", depth)
        if isinstance(expr, ast.Call):
            if self._reduced_losses(expr, depth):
                return True
            found = callee(facts, expr, training=False) if _helper_form(expr) else None
            if found is not None:
                owner, func = found
                return _returns_unscaled(owner, func, depth + 1)
            if _helper_form(expr) and call_name(expr) in facts.functions:
                return False  # a helper of this file the linter cannot pin down may divide
            outside = _outside_loss(facts, expr)
            if outside is not None and not self._may_know_k(expr):
                self.assumed.append((call_name(expr), outside))
                return True
            if self._model_loss(expr):
                return True
        if _scaled(expr):
            return False
        return _mean_loss(facts, expr)

    def _name(self, name: str, depth: int) -> bool:
        values: list[ast.expr] = []
        unpacked = False
        for n in walk(self.scope):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, (ast.Name, ast.Attribute)) and dotted(t) == name:
                        values.append(n.value)
                    elif isinstance(t, (ast.Tuple, ast.List)) and any(
                        isinstance(e, (ast.Name, ast.Attribute)) and dotted(e) == name
                        for e in t.elts
                    ):
                        if isinstance(n.value, (ast.Tuple, ast.List)) and len(n.value.elts) == len(
                            t.elts
                        ):
                            idx = next(
                                i
                                for i, e in enumerate(t.elts)
                                if isinstance(e, (ast.Name, ast.Attribute)) and dotted(e) == name
                            )
                            values.append(n.value.elts[idx])
                        elif isinstance(n.value, ast.Call) and not _scaled(n.value):
                            idx = next(
                                i
                                for i, e in enumerate(t.elts)
                                if isinstance(e, (ast.Name, ast.Attribute)) and dotted(e) == name
                            )
                            found = (
                                callee(self.facts, n.value, training=False)
                                if _helper_form(n.value)
                                else None
                            )
                            norms: frozenset[str] = frozenset()
                            if (
                                found is None
                                and self.window is not None
                                and isinstance(n.value.func, ast.Name)
                            ):
                                # `loss, node = loss_compute(out, y, batch.ntokens)`, the
                                # object handed in: its class's `__call__`.
                                found = callee(self.facts, n.value, objects=True, training=False)
                                if found is not None:
                                    norms = self._micro_norms(n.value, found[1])
                            if found is not None:
                                # `loss, acc = get_loss(...)`: what the helper returns there.
                                if not _returns_unscaled(found[0], found[1], depth + 1, idx, norms):
                                    return False
                                unpacked = True
                            elif "loss" in name.lower() and self._model_loss(n.value):
                                unpacked = True  # `logits, loss = model.get_logits_loss(x, y)`
                            elif "loss" in call_name(n.value).lower():
                                return False  # `loss, items = compute_loss(...)`: unknown
                            elif _forward_divides(self.facts, idx):
                                return False  # a `forward` of the file divides what it returns
                            else:
                                unpacked = True  # `logits, loss = model(x, y)`: a forward's mean
                        elif isinstance(n.value, ast.Name) and n.value.id == name:
                            pass  # `loss, items = loss` when the loss came as a tuple: the same
                        elif "loss" in name.lower() and self._model_loss(n.value):
                            unpacked = True  # `logits, loss = model.get_logits_loss(x, y)`
                        else:
                            return False
            elif isinstance(n, ast.AugAssign) and dotted(n.target) == name:
                if not isinstance(n.op, ast.Add):
                    return False
                values.append(n.value)
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                for item in n.items:
                    if dotted(item.optional_vars) == name if item.optional_vars else False:
                        ctx = item.context_expr
                        if (
                            isinstance(ctx, ast.Call)
                            and call_name(ctx) == "scale_loss"
                            and ctx.args
                            and not isinstance(ctx.args[0], ast.Starred)
                        ):
                            # `with amp.scale_loss(loss, opt) as scaled:`: apex multiplies by
                            # the loss scale and divides it out before the step; what counts
                            # is the loss going in.
                            values.append(ctx.args[0])
                        else:
                            return False
        masks = {m for v in values if (m := self._masked_mean(v)) is not None}
        if masks:
            # `loss = loss_fct(...) * mask; loss = torch.sum(loss) / torch.sum(mask)`: a token
            # mean; only another division or multiplication of it would scale it.
            rest = [v for v in values if self._masked_mean(v) is None and not _times(v, masks)]
            return not any(self._scaling(v) for v in rest)
        if any(self._scaling(v) for v in values):
            return False
        if name in self._following:
            # `loss = loss.mean()` while following `loss`: its other bindings decide.
            values = [v for v in values if not _mentions(v, name)]
        if unpacked and "loss" in name.lower() and not values:
            return True
        if not values:
            return self._passed(name, depth)
        self._following.add(name)
        try:
            return any(self._forward(v, name) or self.unscaled(v, depth + 1) for v in values)
        finally:
            self._following.discard(name)

    def _micro_norms(self, call: ast.Call, func: FuncDef) -> frozenset[str]:
        """The parameters of `func` that `call` gives a count of the micro-batch itself: an
        attribute or key of a name the window's loop binds that names a count (``batch.ntokens``,
        ``batch["num_tokens"]``), or its length (``len(x)``, ``x.shape[0]``)."""
        w = self.window
        if w is None:
            return frozenset()
        pos = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        bound = set(assigned_names(w.loop.target)) if isinstance(w.loop, ast.For) else set()
        for x in walk(w.loop):
            if isinstance(x, ast.Assign):
                for t in x.targets:
                    bound.update(assigned_names(t))
        out = set()
        for name in pos:
            arg = passed_argument(call, func, name, pos, bound=True)
            if arg is None or isinstance(arg, ast.Starred):
                continue
            if self._micro_size(arg, w):
                out.add(name)
                continue
            key = (
                arg.attr
                if isinstance(arg, ast.Attribute)
                else arg.slice.value
                if isinstance(arg, ast.Subscript) and isinstance(arg.slice, ast.Constant)
                else None
            )
            root = _root(arg) if isinstance(arg, (ast.Attribute, ast.Subscript)) else None
            if (
                isinstance(key, str)
                and root in bound
                and any(word in key.lower() for word in _COUNT_WORDS)
                and not any(word in key.lower() for word in _K_WORDS)
            ):
                out.add(name)
        return frozenset(out)

    def _masked_mean(self, expr: ast.expr) -> str | None:
        """``torch.sum(loss) / (torch.sum(mask) + eps)`` (or ``.sum()`` forms), where ``loss``
        is bound here to a per-token loss times ``mask`` and ``mask`` is bound here too: the token
        mean of the batch this scope sees, not a count over the window passed in from outside."""
        if not (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div)):
            return None
        den = expr.right
        if isinstance(den, ast.BinOp) and isinstance(den.op, ast.Add):
            if isinstance(den.right, ast.Constant):
                den = den.left
            elif isinstance(den.left, ast.Constant):
                den = den.right
        num, mask = _summed(expr.left), _summed(den)
        if num is None or mask is None:
            return None
        mine = _bindings(self.scope)
        if mask not in mine:
            return None
        for value in mine.get(num, []):
            if _times(value, {mask}):
                assert isinstance(value, ast.BinOp)
                other = value.left if _root(value.right) == mask else value.right
                text = short(other, 200).lower()
                if "loss" in num.lower() or "loss" in text or "entropy" in text:
                    return mask
        return None

    def _unit_ratio(self, expr: ast.BinOp) -> tuple[ast.expr, set[int]] | None:
        """``loss / (batch_size / x.shape[0])``, ``loss * (len(x) / batch_size)``, ``loss *
        x.size(0) / batch_size``: a rescaling of a short (last) micro-batch that is 1 on full
        ones, where ``batch_size`` is the batch size the window's loader was built with. Returns
        the loss operand and the ids of the operators; None for anything else."""
        w = self.window
        if w is None:
            return None
        ratio = expr.right if isinstance(expr.op, ast.Div) else None
        if isinstance(ratio, ast.BinOp) and isinstance(ratio.op, ast.Div):
            if self._micro_size(ratio.right, w) and _loader_size(self.facts, ratio.left, w):
                return expr.left, {id(expr), id(ratio)}
            return None
        if isinstance(expr.op, ast.Div) and isinstance(expr.left, ast.BinOp):
            inner = expr.left
            if isinstance(inner.op, ast.Mult) and _loader_size(self.facts, expr.right, w):
                for size, loss in ((inner.right, inner.left), (inner.left, inner.right)):
                    if self._micro_size(size, w):
                        return loss, {id(expr), id(inner)}
            return None
        if isinstance(expr.op, ast.Mult):
            for ratio, loss in ((expr.right, expr.left), (expr.left, expr.right)):
                if (
                    isinstance(ratio, ast.BinOp)
                    and isinstance(ratio.op, ast.Div)
                    and self._micro_size(ratio.left, w)
                    and _loader_size(self.facts, ratio.right, w)
                ):
                    return loss, {id(expr), id(ratio)}
        return None

    def _micro_size(self, node: ast.expr, w: Window) -> bool:
        """``x.shape[0]``, ``x.size(0)`` or ``len(x)`` of a name the window's loop binds."""
        target: ast.expr | None = None
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == 0
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "shape"
        ):
            target = node.value.value
        elif isinstance(node, ast.Call) and len(node.args) == 1:
            a = node.args[0]
            if call_name(node) == "len" and isinstance(node.func, ast.Name):
                target = a
            elif (
                call_name(node) == "size"
                and isinstance(node.func, ast.Attribute)
                and isinstance(a, ast.Constant)
                and a.value == 0
            ):
                target = node.func.value
        if not isinstance(target, ast.Name):
            return False
        bound = set(assigned_names(w.loop.target)) if isinstance(w.loop, ast.For) else set()
        for n in walk(w.loop):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    bound.update(assigned_names(t))
        return target.id in bound

    def _stored(self, expr: ast.Attribute) -> bool:
        """``self.x`` bound by an assignment in the scope followed."""
        d = dotted(expr)
        if d is None or not d.startswith(("self.", "cls.")):
            return False
        for n in walk(self.scope):
            if isinstance(n, ast.Assign):
                if any(dotted(x) == d for t in n.targets for x in walk(t)):
                    return True
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)) and dotted(n.target) == d:
                return True
        return False

    def _scaling(self, value: ast.expr) -> bool:
        """`value` divides or multiplies, other than by per-sample weights inside a reduction
        (``(losses * weights).mean()``, see `_weight`)."""
        units: set[int] = set()
        for x in walk(value):
            if isinstance(x, ast.BinOp) and isinstance(x.op, (ast.Div, ast.Mult)):
                ratio = self._unit_ratio(x)
                if ratio is not None:
                    units |= ratio[1]
        weighted = units | {
            id(n.func.value)
            for n in walk(value)
            if isinstance(n, ast.Call)
            and call_name(n) in _REDUCE
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.BinOp)
            and isinstance(n.func.value.op, ast.Mult)
            and (self._weight(n.func.value.left) or self._weight(n.func.value.right))
        }
        weighted |= {
            id(x)
            for x in walk(value)
            if isinstance(x, ast.BinOp)
            and isinstance(x.op, ast.Mult)
            and any(self._coefficient(side) or _world_size(side) for side in (x.left, x.right))
        }
        weighted |= {
            id(x)
            for x in walk(value)
            if isinstance(x, ast.BinOp)
            and isinstance(x.op, ast.Div)
            and (
                (isinstance(x.right, ast.Name) and x.right.id in self.norms)
                or self._micro_count(x.right)
            )
        }
        return any(
            isinstance(x, ast.BinOp) and isinstance(x.op, _SCALING_OPS) and id(x) not in weighted
            for x in walk(value)
        )

    def _micro_count(self, node: ast.expr) -> bool:
        """`node` is a count the window's loop binds for its micro-batch: a key or attribute
        naming a count (``out["effective_ntoken"]``, ``batch.ntokens``) of a name bound in the
        loop, nothing about the window in its name."""
        w = self.window
        if w is None or not isinstance(node, (ast.Subscript, ast.Attribute)):
            return False
        key = (
            node.attr
            if isinstance(node, ast.Attribute)
            else node.slice.value
            if isinstance(node.slice, ast.Constant)
            else None
        )
        if not isinstance(key, str):
            return False
        low = key.lower()
        if not any(w_ in low for w_ in _COUNT_WORDS) or any(w_ in low for w_ in _K_WORDS):
            return False
        return _root(node) in _loop_bound(w)

    def _summed_loss(self, loss: ast.expr) -> bool:
        """The numerator of a division by the micro-batch's count: a loss the code shows (a
        model output's ``loss``, a loss function's result), summed over the items it counts."""
        return self.facts.is_loss_source(loss) or self.unscaled(loss, 1)

    def _model_loss(self, value: ast.expr) -> bool:
        """`value` calls a loss method of the trained model whose class is not in the file
        (``model.loss(scores, y)``, ``model.module.get_logits_loss(data, y)``, or an ``a if c
        else b`` of two such calls), with no ``reduction=`` and no argument that could hand it
        the window length: taken, like an imported loss function, to return the micro-batch's
        mean; the assumption goes into the message."""
        calls = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
        names = []
        for call in calls:
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                return False
            method = call.func.attr
            rec = call.func.value
            if rec is not None and isinstance(rec, ast.Attribute) and rec.attr == "module":
                rec = rec.value  # `model.module.loss(...)`: the model a wrapper holds
            model = dotted(rec)
            if (
                "loss" not in method.lower()
                or model is None
                or model not in _trained_models(self.facts)
                or method in self.facts.functions  # defined in this file: not assumed
                or kwarg(call, "reduction") is not None
                or not call.args
                or self._may_know_k(call)
            ):
                return False
            names.append(f"{model}.{method}")
        for name in dict.fromkeys(names):
            self.assumed.append((name, ""))
        return True

    def _may_know_k(self, call: ast.Call) -> bool:
        """An argument of `call` could hand it the window length: it names the length (or its
        loop's bounds), says ``accum``, or is a whole settings object (``args``, ``cfg``,
        ``self``) a helper could read it from."""
        avoid = _window_names(self.window) if self.window is not None else set()
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(arg, ast.Starred) or (
                isinstance(arg, ast.Name) and arg.id in _SETTINGS_OBJECTS
            ):
                return True
            for x in walk(arg):
                d = dotted(x) if isinstance(x, (ast.Name, ast.Attribute)) else None
                if d is not None and (d in avoid or any(a in d.lower() for a in _K_WORDS)):
                    return True
        return any(k.arg is None for k in call.keywords)

    def _coefficient(self, node: ast.expr) -> bool:
        """`node` is a loss weight of a multi-task or distillation sum (``lambda_coeff * loss``,
        ``args.alpha * kd_loss``, ``self.loss_weight * loss``): a name or attribute that says so,
        nothing in its name about the window, and, when bound in its function (``self.x``: in its
        class), bound to nothing
        divided or built from the window's length (``w = 1 / k`` is a division by k)."""
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return False
        last = (dotted(node) or "").rpartition(".")[2].lower()
        if not last or any(word in last for word in (*_K_WORDS, "scale", "norm", "div")):
            return False
        if not any(word in last for word in _COEF_WORDS):
            return False
        name = dotted(node)
        scope: ast.AST = self.facts.function_of(node)
        if isinstance(node, ast.Attribute):
            # `self.loss_weight`: what the class sets it to; another object's attribute
            # (`args.alpha`) is a setting the code does not compute.
            cls = self.facts.class_of(node) if (name or "").startswith("self.") else None
            if cls is None:
                return True
            scope = cls
        avoid = _window_names(self.window) if self.window is not None else set()
        for n in walk(scope):
            if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and n.value is not None:
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                if not any(name in assigned_names(t) for t in targets):
                    continue
                if isinstance(n, ast.AugAssign) or _scaled(n.value):
                    return False
                for x in walk(n.value):
                    d = dotted(x) if isinstance(x, (ast.Name, ast.Attribute)) else None
                    if d is not None and (d in avoid or any(a in d.lower() for a in _K_WORDS)):
                        return False
        return True

    def _weight(self, node: ast.expr) -> bool:
        """`node` is a per-sample weight that visibly does not involve the window length: a name
        bound in this scope, only by unpacking a call (``t, weights = sampler.sample(n)``) or to a
        call or a subscript, none of which reads the window's length, its loop's bounds or a
        number (``1 / k`` may hide in a number)."""
        w = self.window
        if w is None or not isinstance(node, ast.Name):
            return False
        avoid = _window_names(w)
        bound: list[ast.expr] = []
        for n in walk(self.scope):
            if isinstance(n, ast.Assign) and any(node.id in assigned_names(t) for t in n.targets):
                bound.append(n.value)
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)) and dotted(n.target) == node.id:
                return False
        if not bound:
            return False
        for value in bound:
            if not isinstance(value, (ast.Call, ast.Subscript)) or _scaled(value):
                return False
            indices = {id(x.slice) for x in walk(value) if isinstance(x, ast.Subscript)}
            for x in walk(value):
                if (
                    isinstance(x, ast.Constant)
                    and isinstance(x.value, (int, float))
                    and not isinstance(x.value, bool)
                    and id(x) not in indices  # `micro.shape[0]`: an index, not a factor
                ):
                    return False
                d = dotted(x) if isinstance(x, (ast.Name, ast.Attribute)) else None
                if d is not None and (d in avoid or any(a in d.lower() for a in _K_WORDS)):
                    return False
        return True

    def _passed(self, name: str, depth: int) -> bool:
        """`name` is a parameter of the function run once per micro-batch, and every same-file
        call of it passes an undivided mean loss."""
        w = self.window
        func = self.scope
        if (
            w is None
            or func is not w.loop
            or not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        ):
            return False
        pos = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        if name not in pos and all(a.arg != name for a in func.args.kwonlyargs):
            return False
        if not w.calls_in:
            return False
        for call in w.calls_in:
            arg = passed_argument(call, func, name, pos)
            if arg is None or isinstance(arg, ast.Starred):
                return False
            where = self.facts.enclosing(call, _LOOPS) or self.facts.function_of(call)
            if not _Loss(self.facts, where).unscaled(arg, depth + 1):
                return False
        return True

    def _forward(self, value: ast.expr, name: str) -> bool:
        """``loss = model(batch, return_loss=True)``: a name that says it is a loss, bound to a
        forward of the model being trained (a module whose parameters are optimized, clipped or
        wrapped, or that is put in training mode). Models return a mean loss."""
        if "loss" not in name.lower() or not isinstance(value, ast.Call):
            return False
        d = dotted(value.func)
        return d is not None and d in _trained_models(self.facts)

    def _reduced_losses(self, call: ast.Call, depth: int) -> bool:
        """``torch.stack(losses).sum()``, ``sum(losses)``, ``sum(loss_dict.values())``,
        ``loss.mean()``: a reduction over per-micro-batch mean losses."""
        name = call_name(call)
        if name not in _REDUCE:
            return False
        if isinstance(call.func, ast.Attribute) and not call.args:
            inner = call.func.value
        elif isinstance(call.func, ast.Name) and name == "sum" and len(call.args) == 1:
            inner = call.args[0]
        else:
            return False
        return self._losses(inner, depth + 1)

    def _losses(self, node: ast.AST, depth: int) -> bool:
        """`node` is one or several mean losses."""
        if depth > 8:
            return False
        if isinstance(node, ast.Call) and call_name(node) in ("stack", "cat", "tensor"):
            return bool(node.args) and self._losses(node.args[0], depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            # `(losses["loss"] * weights).mean()`: per-sample weights before the micro-batch mean
            # are not a division by the window length unless they come from it.
            for loss, weight in ((node.left, node.right), (node.right, node.left)):
                if self._weight(weight) and self.unscaled(loss, depth + 1):
                    return True
            return False
        if isinstance(node, (ast.List, ast.Tuple)):
            return bool(node.elts) and all(self.unscaled(e, depth + 1) for e in node.elts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            it = node.generators[0].iter
            if isinstance(it, ast.Call) and call_name(it) == "values":
                return _loss_dict(receiver(it))
            return self.unscaled(node.elt, depth + 1)
        if isinstance(node, ast.Call) and call_name(node) == "values":
            return _loss_dict(receiver(node))
        if isinstance(node, ast.Name):
            if node.id in self._following:
                return self._name(node.id, depth + 1)
            for n in walk(self.scope):
                if isinstance(n, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == node.id for t in n.targets
                ):
                    return self._losses(n.value, depth + 1)
            return False
        return self.unscaled(node, depth + 1)


_MODEL_USES = frozenset(("parameters", "named_parameters", "train", "zero_grad"))
_K_WORDS = ("accum", "grad_acc", "num_micro", "n_micro", "micro_steps", "microbatches")
# What a micro-batch's own item count is called (``batch.ntokens``, ``batch["num_tokens"]``).
_COUNT_WORDS = ("token", "ntok", "num_", "n_", "count", "size", "len")
# Whole settings objects a helper could read the window length from.
_SETTINGS_OBJECTS = ("args", "cfg", "config", "conf", "opt", "opts", "hparams", "params", "self")
# What a loss weight is called (``lambda_mlm``, ``kd_coeff``, ``loss_weight``, ``alpha``).
_COEF_WORDS = ("lambda", "lambd", "coef", "weight", "alpha")


_WORLD = ("world_size", "num_gpus", "n_gpu", "n_gpus", "ngpus", "num_processes", "nprocs")


def _world_size(node: ast.expr) -> bool:
    """`node` is the number of processes (``WORLD_SIZE``, ``args.world_size``,
    ``dist.get_world_size()``): a loss multiplied by it (undoing DDP's mean over ranks for a loss
    gathered over all of them) is still not divided by the window length."""
    if isinstance(node, ast.Call):
        return call_name(node) == "get_world_size" and not node.args
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    return (dotted(node) or "").rpartition(".")[2].lower() in _WORLD


def _summed(node: ast.expr) -> str | None:
    """``torch.sum(x)`` / ``x.sum()`` with no other argument: the name ``x``."""
    if not isinstance(node, ast.Call) or node.keywords or call_name(node) != "sum":
        return None
    f = node.func
    if isinstance(f, ast.Attribute) and not node.args and isinstance(f.value, ast.Name):
        return f.value.id
    if (
        isinstance(f, ast.Attribute)
        and dotted(f.value) == "torch"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def _times(value: ast.expr, names: set[str]) -> bool:
    """`value` is ``x * m`` (or ``m * x``) with ``m`` one of `names`."""
    return (
        isinstance(value, ast.BinOp)
        and isinstance(value.op, ast.Mult)
        and any(_root(x) in names for x in (value.left, value.right))
    )


def _root(node: ast.expr) -> str | None:
    """The name under ``mask``, ``mask.flatten()``, ``mask[:, 1:].float()``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def _bindings(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """The ``name = value`` bindings of `scope`, by name (names unpacked from a tuple: bound,
    with no value)."""
    out: dict[str, list[ast.expr]] = {}
    for n in walk(scope):
        if isinstance(n, ast.Assign) and len(n.targets) == 1:
            t = n.targets[0]
            if isinstance(t, ast.Name):
                out.setdefault(t.id, []).append(n.value)
            elif isinstance(t, (ast.Tuple, ast.List)):
                for name in assigned_names(t):  # `x, y, mask = batch`: bound here
                    out.setdefault(name, [])
    return out


def _lost_division(w: Window, loss: ast.expr) -> tuple[ast.For, ast.expr] | None:
    """The loss is an element of a list (``loss_list[0]``, directly or through apex's
    ``scale_loss``) that a loop of the window meant to divide by the window length but did not:
    ``for loss in loss_list: loss = loss / k`` rebinds the loop variable, the list keeps its
    undivided losses. (the loop, the element backpropagated), or None."""
    scaled = _scale_loss_input(w, loss)
    item = scaled[0] if scaled is not None else loss
    if not (isinstance(item, ast.Subscript) and isinstance(item.value, ast.Name)):
        return None
    listed = item.value.id
    k_text = {w.k}
    if w.k_node is not None:
        k_text.add(ast.unparse(w.k_node))
    for n in walk(w.loop):
        if not (
            isinstance(n, ast.For)
            and isinstance(n.iter, ast.Name)
            and n.iter.id == listed
            and isinstance(n.target, ast.Name)
            and n.lineno < item.lineno
        ):
            continue
        var = n.target.id
        if len(n.body) != 1 or n.orelse:
            continue
        s = n.body[0]
        if (
            isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and s.targets[0].id == var
            and isinstance(s.value, ast.BinOp)
            and isinstance(s.value.op, (ast.Div, ast.FloorDiv))
            and isinstance(s.value.left, ast.Name)
            and s.value.left.id == var
            and ast.unparse(s.value.right) in k_text
            and not _rebound_between(w, listed, n.end_lineno or n.lineno, item.lineno)
        ):
            return n, item
    return None


def _rebound_between(w: Window, name: str, start: int, end: int) -> bool:
    """`name` (or an element of it) is assigned, or grown, in the window's loop between lines
    `start` and `end`: the list the backward reads is not the one the loop left undivided."""
    for n in walk(w.loop):
        if not isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For)):
            continue
        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        if start < n.lineno <= end and any(name in _target_roots(t) for t in targets):
            return True
    for n in walk(w.loop):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == name
            and n.func.attr in ("append", "extend", "insert", "__setitem__")
            and start < n.lineno <= end
        ):
            return True
    return False


def _target_roots(target: ast.expr) -> set[str]:
    """The names an assignment target stores into, through subscripts and tuples."""
    out: set[str] = set()
    for x in walk(target):
        if isinstance(x, ast.Name):
            out.add(x.id)
    return out


def _window_names(w: Window) -> set[str]:
    """The dotted names the window's length and its loop's bounds are written with."""
    out: set[str] = set()
    nodes: list[ast.AST] = [w.k_node] if w.k_node is not None else []
    if isinstance(w.loop, (ast.For, ast.AsyncFor)):
        nodes.append(w.loop.iter)
    for node in nodes:
        for x in walk(node):
            d = dotted(x) if isinstance(x, (ast.Name, ast.Attribute)) else None
            if d is not None and d not in ("self", "cls", "range", "len"):
                out.add(d)
    return out


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(x, ast.Name) and x.id == name for x in walk(node))


def _loader_size(facts: Facts, node: ast.expr, w: Window) -> bool:
    """`node` is the batch size every loader the window's loop iterates was built with
    (``batch_size=node``, or a positional argument named like a batch size), and nothing
    rebinds it after they are built."""
    d = dotted(node)
    if d is None or not isinstance(w.loop, ast.For | ast.AsyncFor):
        return False
    it = w.loop.iter
    while isinstance(it, ast.Call) and call_name(it) in ("enumerate", "tqdm", "iter") and it.args:
        it = it.args[0]
    if not isinstance(it, ast.Name):
        return False
    builds = [
        n.value
        for n in facts.assigns
        if isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Call)
        and any(isinstance(t, ast.Name) and t.id == it.id for t in n.targets)
    ]
    if not builds:
        return False
    for build in builds:
        given = [k.value for k in build.keywords if k.arg == "batch_size"]
        given += [a for a in build.args if "batch" in (dotted(a) or "").lower()]
        if not any(dotted(g) == d for g in given):
            return False
    first = min(b.lineno for b in builds)
    for n in facts.assigns:
        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        if any(dotted(t) == d for t in targets) and n.lineno >= first:
            return False
    return True


def _trained_models(facts: Facts) -> set[str]:
    """Dotted names of the modules the file trains: ``m.parameters()`` (given to an optimizer or a
    clip), ``m.train()``, ``m.zero_grad()``, DDP-wrapped or prepared models and what they wrap."""
    cached = facts.cache.get("trained_models")
    if isinstance(cached, set):
        return cached
    out: set[str] = set()
    for call in facts.calls:
        rec = receiver(call)
        if call_name(call) in _MODEL_USES and rec is not None and not call.args:
            d = dotted(rec)
            if d is not None and not facts.is_optimizer(rec):
                out.add(d)
    for name, build in facts.ddp_models.items():
        out.add(name)
        if build.args and (inner := dotted(build.args[0])) is not None:
            out.add(inner)
    out |= {n for n in facts.prepared if not n.startswith(("opt", "sched"))}
    facts.cache["trained_models"] = out
    return out


def _loss_dict(node: ast.AST | None) -> bool:
    return node is not None and "loss" in (dotted(node) or "").lower()


def _loop_bound(w: Window) -> set[str]:
    """The names the window's loop binds: its target and every assignment in it."""
    bound = set(assigned_names(w.loop.target)) if isinstance(w.loop, ast.For) else set()
    for n in walk(w.loop):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                bound.update(assigned_names(t))
    return bound


def _divided_by_count(follower: _Loss, w: Window, loss: ast.expr) -> bool:
    """The same loss expression is divided by the micro-batch's own count elsewhere in the
    window (``if adam: scale(out["loss"] / out["ntoken"]) else: scale(out["loss"])``): the code
    treats it as a sum over those items, and a sum summed over the micro-batches is the whole
    batch's sum, whatever k is."""
    want = ast.dump(loss)
    return any(
        isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Div)
        and ast.dump(n.left) == want
        and follower._micro_count(n.right)
        for n in walk(w.loop)
    )


def _forward_divides(facts: Facts, index: int) -> bool:
    """A ``forward`` method of the file returns a tuple whose element `index` is divided or
    multiplied there (``loss = loss / GCF.ACCUMULATE; return loss, h``): a loss unpacked from a
    model call may be the window's share already, so it is not taken as a plain mean."""
    for func in facts.functions.get("forward", []):
        if facts.class_of(func) is None:
            continue
        for r in walk(func):
            if not (isinstance(r, ast.Return) and facts.function_of(r) is func):
                continue
            value = r.value
            if not isinstance(value, ast.Tuple) or index >= len(value.elts):
                continue
            elt = value.elts[index]
            if _Loss(facts, func).unscaled(elt, 1):
                continue  # a plain (or token) mean of the micro-batch
            if _scaled(elt):
                return True
            if isinstance(elt, ast.Name) and any(
                _scaled(v) for v in _bindings(func).get(elt.id, [])
            ):
                return True
    return False


def _helper_form(call: ast.Call) -> bool:
    f = call.func
    return isinstance(f, ast.Name) or (
        isinstance(f, ast.Attribute) and dotted(f.value) in ("self", "cls")
    )


def _returns_unscaled(
    facts: Facts, func: ast.AST, depth: int, index: int = 0, norms: frozenset[str] = frozenset()
) -> bool:
    """Every ``return`` of helper `func` is an undivided mean loss (its element `index`, for a
    tuple); a division by one of the `norms` parameters is the micro-batch's own mean."""
    returns = [
        n
        for n in walk(func)
        if isinstance(n, ast.Return) and facts.function_of(n) is func and n.value is not None
    ]
    if not returns:
        return False
    follower = _Loss(facts, func, norms=norms)
    for r in returns:
        value = r.value
        assert value is not None
        if isinstance(value, ast.Tuple) and value.elts:
            if index >= len(value.elts):
                return False
            value = value.elts[index]
        if not follower.unscaled(value, depth):
            return False
    return True


def _outside_loss(facts: Facts, call: ast.Call) -> str | None:
    """The module of a loss function imported from outside the linted files (``from
    pkg.model.losses import Loss_sw_se``; ``loss = Loss_sw_se(...)``): what a name that says
    ``loss`` and is called with the model's outputs returns is, in the great majority of
    projects, a mean over the micro-batch. None for anything else (a call of an attribute, a
    loss of torch, a sum reduction, a name defined in the tree)."""
    if not isinstance(call.func, ast.Name) or "loss" not in call.func.id.lower():
        return None
    reduction = kwarg(call, "reduction")
    if reduction is not None or not call.args:
        return None
    q = facts.resolve(call.func)
    if q is None or "." not in q or q.startswith(("torch.", "__future__")):
        return None
    if facts.project is not None and facts.project.lookup(facts, q) is not None:
        return None  # defined in the tree: `callee` follows it or it is unknown
    return q.rpartition(".")[0]


def _mean_loss(facts: Facts, expr: ast.AST) -> bool:
    """A loss the file shows, reduced by a mean (not ``reduction="sum"`` / ``"none"``)."""
    if isinstance(expr, ast.Call):
        reduction = kwarg(expr, "reduction")
        if isinstance(reduction, ast.Constant) and reduction.value in ("sum", "none"):
            return False
        d = dotted(expr.func)
        if d is not None and d in facts.sum_losses:
            return False
    return facts.is_loss_source(expr)


_GRAD_SCALERS = ("multiply_grads", "scale_grads")


def _grads_divided(facts: Facts, w: Window) -> bool:
    """The gradients are divided after the backwards (``p.grad /= k``, ``p.grad.div_(k)``, an
    optimizer wrapper's ``optimizer.multiply_grads(1 / n)`` as fairseq's trainers do)."""
    scope = w.outer or w.scope(facts)
    for n in walk(scope):
        hit = False
        if isinstance(n, ast.AugAssign) and isinstance(n.op, _SCALING_OPS):
            hit = (dotted(n.target) or "").split(".")[-1] in ("grad", "data")
        elif isinstance(n, ast.Call) and call_name(n) in _GRAD_SCALERS and n.args:
            hit = True
        elif isinstance(n, ast.Call) and call_name(n) in ("div_", "mul_"):
            rec = receiver(n)
            hit = rec is not None and "grad" in (dotted(rec) or "").split(".")
        if hit and not _per_micro_rescale(facts, w, n):
            return True
    return False


def _per_micro_rescale(facts: Facts, w: Window, node: ast.AST) -> bool:
    """`node` runs on every micro-batch of `w` (in the loop, outside the window's guard, or in the
    inner loop of a nested window): a gradient rescale there (a short last batch shrunk to its
    share) is not the once-per-window division by k. Only for the AugAssigns and calls
    `_grads_divided` finds, so the parent walk stays rare."""
    if w.kind not in ("guard", "nested") or (w.kind == "guard" and w.guard is None):
        return False
    p: ast.AST | None = facts.parents.get(node)
    while p is not None:
        if p is w.guard:
            return False
        if p is w.loop:
            return True
        p = facts.parents.get(p)
    return False


def _accelerate_divides(facts: Facts, rec: ast.expr | None) -> bool | None:
    """Whether ``accelerator.backward`` divides the loss: True when the Accelerator was given
    ``gradient_accumulation_steps`` (not 1) or a plugin, False when built without, None when its
    construction is not visible."""
    d = dotted(rec) if rec is not None else None
    build = facts.accelerator_builds.get(d or "")
    if build is None and len(facts.accelerator_builds) == 1:
        build = next(iter(facts.accelerator_builds.values()))
    if build is None:
        return None
    steps = kwarg(build, "gradient_accumulation_steps")
    if kwarg(build, "gradient_accumulation_plugin") is not None:
        return True
    if steps is None:
        return False
    return not (isinstance(steps, ast.Constant) and steps.value == 1)


def _loop_names(w: Window) -> set[str]:
    """The dotted names the window's loop binds (its target, what its body assigns)."""
    out = {
        d
        for n in walk(w.region)
        if isinstance(n, ast.Name | ast.Attribute)
        and isinstance(n.ctx, ast.Store)
        and (d := dotted(n)) is not None
    }
    if isinstance(w.region, ast.For | ast.AsyncFor):
        out |= set(assigned_names(w.region.target))
    return out


def _setting_test(test: ast.expr, varying: set[str]) -> bool:
    """`test` reads only settings: no call, operator or subscript, no name the loop binds."""
    for n in walk(test):
        if isinstance(n, ast.Call | ast.BinOp | ast.Subscript):
            return False
        d = dotted(n) if isinstance(n, ast.Name | ast.Attribute) else None
        if d is not None and d in varying:
            return False
    return True


def _setting_split(facts: Facts, w: Window, a: ast.AST, b: ast.AST) -> bool:
    """`a` and `b` never run in the same pass because a setting chooses between them (``if
    args.fp16: ... else: ...``): opposite branches of an ``if`` whose test reads only settings
    (not the window's own ``if accumulating: ... else: <step>``)."""
    if not exclusive(facts, a, b):
        return False
    varying = _loop_names(w)
    side_a = {id(i): truth for i, _, truth in facts.branches(a)}
    separated = False
    for i, test, truth in facts.branches(b):
        if side_a.get(id(i), truth) == truth:
            continue  # not an `if` that separates them
        if not _setting_test(test, varying):
            return False
        separated = True
    return separated


def _settings_around(facts: Facts, w: Window, call: ast.Call) -> list[Condition]:
    """The setting tests of the ``if`` blocks around `call` inside the window's loop (``if
    args.fp16:``), as conditions of its finding (those around the loop are added anyway)."""
    out: list[Condition] = []
    varying: set[str] | None = None
    child: ast.AST = call
    parent = facts.parents.get(call)
    while parent is not None and parent is not w.region:
        if isinstance(parent, ast.If) and child is not parent.test:
            varying = _loop_names(w) if varying is None else varying
            if _setting_test(parent.test, varying):
                truth = "true" if any(x is child for x in parent.body) else "false"
                out.append(
                    Condition(short(parent.test, 50), (parent.test,), facts, truth, neutral=True)
                )
        child, parent = parent, facts.parents.get(parent)
    return out


def _scale_loss_input(w: Window, loss: ast.expr) -> tuple[ast.expr, ast.Call] | None:
    """For ``with amp.scale_loss(x, opt) as scaled: scaled.backward()``: (x, the call)."""
    if not isinstance(loss, ast.Name):
        return None
    for n in walk(w.loop):
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                ctx = item.context_expr
                if (
                    item.optional_vars is not None
                    and dotted(item.optional_vars) == loss.id
                    and isinstance(ctx, ast.Call)
                    and call_name(ctx) == "scale_loss"
                    and ctx.args
                ):
                    return ctx.args[0], ctx
    return None


def _helper_backward(
    facts: Facts, call: ast.Call
) -> tuple[ast.Call, tuple[ast.expr | None, str], FuncDef] | None:
    """A call of a same-file helper that computes a loss and backpropagates it itself
    (``self._loss_and_backward(micro_batch)``): its one backward call, what it backpropagates,
    and the helper. A helper given the loss as a parameter is left alone (its callers decide)."""
    if call_name(call) not in facts.backward_functions:
        return None
    found = callee(facts, call, training=False)
    if found is None or found[0] is not facts:
        return None
    func = found[1]
    inner = [
        (n, b)
        for n in walk(func)
        if isinstance(n, ast.Call)
        and (b := facts.backward_of(n)) is not None
        and facts.function_of(n) is func
    ]
    if len(inner) != 1:
        return None
    return inner[0][0], inner[0][1], func


def check_sg201(facts: Facts) -> list[Violation]:
    """SG201: a loss backpropagated every micro-batch of a window without ``/ k`` (one finding
    per window at its first such backward, and one more for each such backward in a branch that
    never runs together with the ones reported: ``if args.fp16: optimizer.backward(loss) else:
    loss.backward()``)."""
    out = []
    for w in windows(facts):
        if _grads_divided(facts, w) or recomputed_full_batch(facts, w):
            continue
        follower = _Loss(facts, w.loop, w)
        reported: list[ast.Call] = []
        for call in w.calls():
            if reported and not all(_setting_split(facts, w, r, call) for r in reported):
                continue
            b = facts.backward_of(call)
            at, loss_follower = call, follower
            if b is None:
                found = _helper_backward(facts, call)
                if found is None:
                    continue
                at, b, helper = found
                loss_follower = _Loss(facts, helper)
            loss, kind = b
            if kind == "engine":
                kind = wrapper_backward(facts, at)
            if loss is None or kind == "engine":
                continue
            if kind == "accelerate" and _accelerate_divides(facts, receiver(at)) is not False:
                continue
            loss_follower.assumed.clear()
            lost = _lost_division(w, loss) if at is call else None
            if lost is None and not loss_follower.unscaled(loss):
                continue
            if lost is None and at is call and _divided_by_count(follower, w, loss):
                continue  # a sum over the items another branch divides by: consistent
            name = short(loss, 40)
            assumed = "".join(
                f" (assuming `{func}`, imported from `{module}` outside the linted files, "
                "returns the micro-batch's mean loss)"
                if module
                else f" (assuming `{func}`, a method of a model class outside the linted files, "
                "returns the micro-batch's mean loss)"
                for func, module in dict.fromkeys(loss_follower.assumed)
            )
            fix = f"backpropagate `{name} / {w.k}`"
            scaled = _scale_loss_input(w, loss)
            if scaled is not None:
                fix = f"pass `{short(scaled[0], 40)} / {w.k}` to `{short(scaled[1].func, 30)}`"
            never = "the loss is never divided by the window length"
            if lost is not None:
                loop, item = lost
                var = short(loop.target, 20)
                never = (
                    f"the division by the window length is lost: `{var} = {var} / ...` in `for "
                    f"{var} in {short(loop.iter, 30)}:` (line {loop.lineno}) rebinds the loop "
                    f"variable, not `{short(item, 40)}`"
                )
                fix = (
                    f"divide the list's elements (`{short(loop.iter, 30)} = [{var} / {w.k} for "
                    f"{var} in {short(loop.iter, 30)}]`)"
                )
            message = (
                f"`{name}` is backpropagated on every micro-batch but the optimizer steps "
                f"{where_it_steps(w)} and {never}: the accumulated gradient is {w.k} times the "
                f"big-batch gradient; {fix}{assumed}"
            )
            conditions = [*window_condition(facts, w), *_settings_around(facts, w, call)]
            if at is not call:
                message += f" (the backward runs in `{short(call.func, 40)}`, called at line {call.lineno})"
            out.append(
                violation(
                    facts,
                    at,
                    "SG201",
                    message,
                    (),
                    conditions,
                    w.outer or w.loop,
                    window_length=w.k,
                )
            )
            reported.append(call)
    return out
