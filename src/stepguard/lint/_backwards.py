"""What a backward called as a method of a wrapper object does to the loss (SG201).

``X.backward(loss)`` is read by `Facts.backward_of` as an engine's backward (DeepSpeed divides
the loss by its own ``gradient_accumulation_steps``), which SG201 leaves alone. Some wrappers are
plain backwards that know nothing of a hand-written window, and say so in the code:

- Lightning Fabric: ``fabric.backward(loss)`` (an object named ``fabric`` or built by
  ``Fabric(...)``) only applies the precision plugin's scaling;
- fp16 optimizer wrappers: ``optimizer.backward(loss)`` (apex ``FP16_Optimizer``, Megatron's and
  DeepSpeed's fp16 optimizers) multiply by the loss scale and divide it out before the step;
- a ``backward`` method defined in the tree (``self.backward(loss)``, a trainer's helper object):
  plain when every backward it runs is on its loss parameter, as given (through a grad scaler
  or not); one that divides or multiplies the loss, or runs nothing visible, stays an engine.

Anything else (``model_engine.backward(loss)``, ``model.backward(loss)`` after
``deepspeed.initialize``, an object whose class is not in the tree) stays an engine: silent.
"""

from __future__ import annotations

import ast

from stepguard.lint._objects import callee
from stepguard.lint._scan import Facts, FuncDef, call_name, dotted, last_name, receiver, walk

__all__ = ["wrapper_backward"]


def wrapper_backward(facts: Facts, call: ast.Call) -> str:
    """``"plain"`` when the ``X.backward(loss)`` `call` visibly backpropagates `loss` as given
    (see the module docstring), else ``"engine"``."""
    rec = receiver(call)
    if rec is None or not call.args:
        return "engine"
    if _fabric(facts, rec):
        return "plain"
    if facts.is_optimizer(rec) and not _deepspeed(facts, rec):
        return "plain"
    found = callee(facts, call, objects=True)
    if found is not None and _passes_through(found[0], found[1]):
        return "plain"
    return "engine"


def _fabric(facts: Facts, rec: ast.expr) -> bool:
    """`rec` is a Lightning ``Fabric``: named so, or bound to ``Fabric(...)`` in the file."""
    if "fabric" in last_name(rec).lower():
        return True
    if not isinstance(rec, ast.Name):
        return False
    value = facts.local_value(rec.id, rec)
    return isinstance(value, ast.Call) and call_name(value) == "Fabric"


def _deepspeed(facts: Facts, rec: ast.expr) -> bool:
    """`rec` is bound by ``deepspeed.initialize(...)`` (its engine, or the optimizer it returns)."""
    d = dotted(rec)
    if d is None:
        return False
    for node in facts.assigns:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        if call_name(node.value) != "initialize":
            continue
        q = facts.resolve(node.value.func) or ""
        if "deepspeed" not in q:
            continue
        if any(d == dotted(x) for t in node.targets for x in walk(t)):
            return True
    return False


def _passes_through(owner: Facts, func: FuncDef) -> bool:
    """Every backward `func` runs is on its first loss parameter as given (``loss.backward()``,
    ``scaler.scale(loss).backward()``), a parameter it never rebinds."""
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    if not params:
        return False
    loss = params[0]
    seen = False
    for n in walk(func):
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if any(isinstance(x, ast.Name) and x.id == loss for t in targets for x in walk(t)):
                return False
        if not isinstance(n, ast.Call) or call_name(n) not in ("backward", "manual_backward"):
            continue
        if owner.function_of(n) is not func:
            continue
        b = owner.backward_of(n)
        if b is None:
            continue
        expr, kind = b
        if kind != "plain" or not (isinstance(expr, ast.Name) and expr.id == loss):
            return False
        seen = True
    return seen
