"""Accumulation windows that span a function call (the shapes `stepguard.lint._windows` finds
inside one loop, spread over a caller and a helper):

- per call: a function that backpropagates on every call and steps the optimizer only under a
  window test (``def _backward_step(self, loss, batch_idx): ... loss.backward(); if (batch_idx +
  1) % self.accum == 0: self.optimizer.step()``). Each call is one micro-batch: a trainer's
  ``train_one_step``, Lightning's ``training_step`` with manual optimization, a loop body moved
  into a method;
- helper loop: a function whose loop backpropagates every micro-batch and never steps, called by
  a function that steps right after the call (``self.forward_backward(batch); self.optimize()``,
  the diffusion trainers' micro-batch loop);
- guarded per call: a callback whose whole body sits under one test that only says whether this
  call trains at all (``def on_batch_end(self, runner): if runner.is_train_loader: ...``), with
  the per-call window inside it (an accumulation counter attribute: ``self._counter += 1;
  need_step = self._counter % k == 0``);
- predicate guards: any of the shapes above whose guard calls a same-file predicate that returns a
  window test (``if self.should_update(): ...`` with ``def should_update(self): return
  self._inner_count % self._accumulative_counts == 0``, an MMEngine-style optimizer wrapper).

The loop (or the function) and the step are both in this file. Tests that decide whether a block
runs every call (``if self.clip_grad_norm:``) are invariant when they read only settings: not a
parameter, a name the function assigns, or an attribute the class advances (``+=``) or sets inside
a loop (``self.batch_index = i``).
"""

from __future__ import annotations

import ast

from stepguard.lint._objects import calls_of
from stepguard.lint._scan import Facts, FuncDef, Loop, call_name, dotted, short, walk
from stepguard.lint._windows import (
    Window,
    _backward_each_time,
    _Finder,
    _LoopView,
    _span,
    _stepped,
    _steps_in,
)

__all__ = ["call_windows"]

_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _varying(facts: Facts, func: FuncDef) -> frozenset[str]:
    """What may change between two calls of `func`: its parameters, and the ``self.x`` its class
    advances (``self.step += 1``) or sets inside a loop (``self.batch_index = i``)."""
    a = func.args
    out = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    if a.vararg is not None:
        out.add(a.vararg.arg)
    if a.kwarg is not None:
        out.add(a.kwarg.arg)
    out.discard("self")
    out.discard("cls")
    cls = facts.class_of(func)
    if cls is not None:
        out |= _changing_attributes(facts, cls)
    return frozenset(out)


def _changing_attributes(facts: Facts, cls: ast.ClassDef) -> set[str]:
    """The ``self.x`` that `cls` advances or sets inside a loop (computed once per class)."""
    cache = facts.cache.setdefault("changing_attributes", {})
    assert isinstance(cache, dict)
    found = cache.get(id(cls))
    if found is not None:
        return found
    found = set()
    for node in facts.assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [d for t in targets if (d := dotted(t)) is not None and d.startswith("self.")]
        if not names:
            continue
        in_loop = isinstance(node, ast.AugAssign)
        p = facts.parents.get(node)
        while p is not None and not isinstance(p, ast.ClassDef):
            in_loop = in_loop or isinstance(p, _LOOPS)
            p = facts.parents.get(p)
        if p is cls and in_loop:
            found.update(names)
    cache[id(cls)] = found
    return found


def _per_call(facts: Facts, func: FuncDef) -> Window | None:
    """`func` runs one micro-batch per call (see the module docstring), else None."""
    view = _LoopView(facts, func, _varying(facts, func))
    w = _Finder(facts, view).find()
    if w is None or w.kind != "guard":
        return None
    w.calls_in = calls_of(facts, func)
    return w


def _step_after(facts: Facts, call: ast.Call) -> ast.Call | None:
    """The optimizer step that directly follows the statement holding `call` in its block: a
    statement that steps, or an ``if``/``else`` whose branches all step."""
    stmt: ast.AST | None = call
    while stmt is not None and not isinstance(stmt, ast.stmt):
        stmt = facts.parents.get(stmt)
    parent = facts.parents.get(stmt) if stmt is not None else None
    block = None
    for name in ("body", "orelse", "finalbody"):
        b = getattr(parent, name, None)
        if isinstance(b, list) and any(s is stmt for s in b):
            block = b
    if block is None or not isinstance(stmt, ast.Expr):
        return None
    idx = next(i for i, s in enumerate(block) if s is stmt)
    for s in block[idx + 1 :]:
        if isinstance(s, _LOOPS):
            return None
        if isinstance(s, ast.If):
            body, orelse = _steps_in(facts, s.body), _steps_in(facts, s.orelse)
            if body and orelse:
                return body[0]
            if body or orelse:
                return None  # steps only sometimes: not this shape
            continue
        steps = _steps_in(facts, [s])
        if steps:
            return steps[0]
    return None


def _length(loop: Loop) -> ast.expr | None:
    """The number of iterations of ``for _ in range(...)``: ``n``, ``stop - start``, or
    ``(stop - start) / step`` (a window of ``ceil`` of that many micro-batches)."""
    if not (
        isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.Call)
        and isinstance(loop.iter.func, ast.Name)
        and loop.iter.func.id == "range"
        and 1 <= len(loop.iter.args) <= 3
        and not loop.iter.keywords
        and not any(isinstance(a, ast.Starred) for a in loop.iter.args)
    ):
        return None
    args = loop.iter.args
    if len(args) == 1:
        return args[0]
    span = _span(args[0], args[1])
    if len(args) == 2:
        return span
    return ast.copy_location(ast.BinOp(left=span, op=ast.Div(), right=args[2]), args[2])


def _helper_loop(facts: Facts, func: FuncDef, taken: set[int]) -> Window | None:
    """A loop of `func` that backpropagates every iteration and never steps, in a function whose
    every same-file caller steps right after calling it (see the module docstring)."""
    if _steps_in(facts, func.body):
        return None
    for loop in (n for n in walk(func) if isinstance(n, _LOOPS)):
        if id(loop) in taken or facts.function_of(loop) is not func:
            continue
        view = _LoopView(facts, loop)
        micro = view.simple(view.items)
        if not _backward_each_time(facts, micro, view.items):
            continue
        callers = calls_of(facts, func)
        steps = [_step_after(facts, c) for c in callers]
        if not callers or any(s is None for s in steps):
            return None
        step = steps[0]
        assert step is not None
        k_node = _length(loop)
        head = short(loop.iter if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.test)
        return Window(
            loop=loop,
            kind="nested",
            step=step,
            condition=f"after each `{short(callers[0], 40)}` (its loop over `{head}`)",
            k=short(k_node, 40) if k_node is not None else "k",
            k_node=k_node,
            micro=micro,
            stepped=_stepped(facts, [s for s in steps if s is not None]),
            calls_in=callers,
        )
    return None


def _function_loop(facts: Facts, func: FuncDef, taken: set[int]) -> Window | None:
    """A function run once per optimizer step whose own loop backpropagates every micro-batch
    and never steps, the step following the loop in the same function (``def training_step(self,
    batch): for mb in batch.split(n): self._loss_and_backward(mb)`` then ``optimizer.step()``):
    the nested shape with the function's call as the outer iteration."""
    view = _LoopView(facts, func)
    items = view.items
    for idx, loop in enumerate(items):
        if not isinstance(loop, _LOOPS) or id(loop) in taken or _steps_in(facts, [loop]):
            continue
        if not _over_micro_batches(loop):
            continue  # `for task, batch in batches.items():` sums objectives, not micro-batches
        inner = _LoopView(facts, loop)
        micro = inner.simple(inner.items)
        if not _backward_each_time(facts, micro, inner.items):
            continue
        steps = _steps_in(facts, items[idx + 1 :])
        if not steps:
            return None
        k_node = _length(loop)
        head = short(loop.iter if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.test)
        k = short(k_node, 40) if k_node is not None else "k"
        if k_node is None and isinstance(loop, ast.For) and isinstance(loop.iter, ast.Name):
            k = f"len({loop.iter.id})"  # `for mb in micro_batches:`
        return Window(
            loop=loop,
            kind="nested",
            step=steps[0],
            condition=f"after each inner loop over `{head}` in `{func.name}`",
            k=k,
            k_node=k_node,
            micro=micro,
            stepped=_stepped(facts, steps),
        )
    return None


_MICRO_WORDS = ("micro", "split", "chunk", "accum", "mini")


def _over_micro_batches(loop: Loop) -> bool:
    """The loop visibly runs over micro-batches: ``range(...)`` or an iterable whose text says so
    (``micro_batches``, ``batch.split(n)``, ``torch.chunk(x, k)``)."""
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    if isinstance(loop.iter, ast.Call) and call_name(loop.iter) == "range":
        return True
    text = short(loop.iter, 200).lower()
    return any(word in text for word in _MICRO_WORDS)


def call_windows(facts: Facts, found: list[Window]) -> list[Window]:
    """The windows that span a call (module docstring), besides the loop windows `found`."""
    both = facts.backward_functions & (facts.step_functions | set(facts.flag_step_functions))
    taken = {id(w.loop) for w in found} | {id(w.outer) for w in found if w.outer is not None}
    out: list[Window] = []
    for name, defs in facts.functions.items():
        if name in both:
            for func in defs:
                w = _per_call(facts, func) or _function_loop(facts, func, taken)
                if w is not None:
                    out.append(w)
        elif (
            name in facts.backward_functions
            and name not in facts.step_functions
            and len(defs) == 1
            and (w := _helper_loop(facts, defs[0], taken)) is not None
        ):
            out.append(w)
    out += guarded_call_windows(facts, [*found, *out])
    return out + predicate_windows(facts, [*found, *out])


# -- windows under a callback's whole-body test --------------------------------------------------


def _whole_body_test(func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.If | None:
    """The ``if`` that holds all of `func`'s body (after a docstring), with no ``else``."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.If) or body[0].orelse:
        return None
    test = body[0].test
    if any(
        isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in walk(test)
    ) or "sync" in ast.unparse(test):
        return None  # a window test itself: the base finder's shape
    return body[0]


def guarded_call_windows(facts: Facts, found: list[Window]) -> list[Window]:
    """Per-call windows of functions whose whole body sits under one ``if`` (the module
    docstring), besides the windows `found` already."""
    # The whole-body test names a parameter (`runner.is_train_loader`), so the scan may have
    # taken the function for one that steps under a flag: both kinds count here.
    both = facts.backward_functions & (facts.step_functions | set(facts.flag_step_functions))
    taken = {id(w.loop) for w in found}
    out: list[Window] = []
    for name in both:
        for func in facts.functions.get(name, []):
            if id(func) in taken:
                continue
            block = _whole_body_test(func)
            if block is None:
                continue
            view = _LoopView(facts, block, _varying(facts, func))  # type: ignore[arg-type]
            w = _Finder(facts, view).find()
            if w is None or w.kind != "guard":
                continue
            w.calls_in = calls_of(facts, func)
            out.append(w)
    return out


def _predicates(facts: Facts) -> dict[str, ast.expr]:
    """Same-file functions whose body is one ``return <window test>`` (a modulo or
    ``sync_gradients``), by name (one definition only)."""
    out: dict[str, ast.expr] = {}
    if "return" not in facts.source:
        return out
    for name, defs in facts.functions.items():
        if len(defs) != 1:
            continue
        body = defs[0].body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            continue
        value = body[0].value
        if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in walk(value)) or (
            "sync_gradients" in ast.unparse(value)
        ):
            out[name] = value
    return out


class _PredicateFinder(_Finder):
    """A finder that reads a guard's call of a same-file predicate as the test it returns."""

    def __init__(self, facts: Facts, view: _LoopView, predicates: dict[str, ast.expr]) -> None:
        super().__init__(facts, view)
        self.predicates = predicates

    def window_test(self, test: ast.expr, depth: int = 0) -> ast.expr | None:
        found = super().window_test(test, depth)
        if found is not None or depth > 1:
            return found
        for n in walk(test):
            if not isinstance(n, ast.Call):
                continue
            f = n.func
            local = isinstance(f, ast.Name) or (
                isinstance(f, ast.Attribute) and dotted(f.value) in ("self", "cls")
            )
            value = self.predicates.get(call_name(n)) if local else None
            if value is not None:
                return super().window_test(value, depth + 1)
        return None


def predicate_windows(facts: Facts, found: list[Window]) -> list[Window]:
    """Windows whose guard calls a predicate (module docstring), in loops and per-call functions
    that hold no window yet."""
    predicates = _predicates(facts)
    if not predicates:
        return []
    taken = {id(w.loop) for w in found} | {id(w.outer) for w in found if w.outer is not None}
    out: list[Window] = []
    for loop in facts.loops:
        if id(loop) in taken or not _steps_in(facts, [loop]):
            continue
        w = _PredicateFinder(facts, _LoopView(facts, loop), predicates).find()
        if w is not None:
            out.append(w)
    # A guard that calls a method (`self.should_update()`) names `self`: the scan may have taken
    # the function for one that steps under a flag, so both kinds count.
    both = facts.backward_functions & (facts.step_functions | set(facts.flag_step_functions))
    for name in both:
        for func in facts.functions.get(name, []):
            if id(func) in taken:
                continue
            view = _LoopView(facts, func, _varying(facts, func))
            w = _PredicateFinder(facts, view, predicates).find()
            if w is not None and w.kind == "guard":
                w.calls_in = calls_of(facts, func)
                out.append(w)
    return out
