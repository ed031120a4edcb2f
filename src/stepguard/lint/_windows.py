"""Gradient-accumulation windows in a training script, found from its syntax tree.

A window is a loop whose iterations are micro-batches: each runs a backward, and the optimizer
steps only on some of them. Recognised shapes (precision first: anything else is not a window):

- guard: ``if (i + 1) % k == 0:`` / ``i % k == k - 1`` / ``step % accum == 0`` / ``if
  accelerator.sync_gradients:`` / a counter ``n += 1 ... if n == k: ...; n = 0`` / a flag
  assigned from one of these, around a block that steps the optimizer (directly, through
  ``scaler.step(optimizer)``, or through a same-file helper function that does);
- first / last / middle branches: ``if i % k == 0: ... elif i % k == k - 1: <step> else: ...``
  (a step nested under ``if k == 1:`` is no window's step);
- continue: ``if (i + 1) % k != 0: continue`` followed by the step;
- nested: an inner loop (``for _ in range(k):``) that runs the backwards and never steps,
  followed by the step in the outer loop (seed 003's shape);
- skipping: any of the shapes above under one data test that skips a batch (``for batch in
  loader: if mask.sum() > 0: <window>``).

`for`, `async for` and `while` loops all count. A loop that also steps an optimizer on every
micro-batch (GAN-style alternating updates) is ambiguous and is not a window.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from stepguard.lint._flow import exclusive
from stepguard.lint._objects import callee, passed_argument
from stepguard.lint._scan import (
    Facts,
    FuncDef,
    Loop,
    assigned_names,
    call_name,
    dotted,
    kwarg,
    short,
    walk,
)

_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
)


@dataclass
class Window:
    """One accumulation window (see the module docstring for the shapes)."""

    # the loop whose iterations are micro-batches, or the function run once per micro-batch
    loop: Loop | FuncDef
    kind: str  # "guard" | "continue" | "nested"
    step: ast.Call  # the optimizer step (or the call of a helper that steps)
    condition: str  # human-readable "when the optimizer steps", for messages
    k: str  # the window length as written (``accum_steps``), or "k"
    k_node: ast.expr | None = None  # the window length's expression, when the code shows one
    guard: ast.If | None = None  # guard kind: the If around the step
    outer: Loop | None = None  # nested kind: the loop holding the inner loop and the step
    micro: list[ast.stmt] = field(default_factory=list)  # simple statements run every micro-batch
    stepped: set[str] = field(default_factory=set)  # dotted names of the optimizers stepped
    # A window that spans a call: the same-file calls of the function `loop` is (run once per
    # micro-batch), or, for a helper's loop followed by the step in its caller, that call.
    calls_in: list[ast.Call] = field(default_factory=list)

    @property
    def region(self) -> ast.AST:
        """The statements the window's micro-batches and its step run in (for messages and
        searches): the outer loop of a nested window, else the loop (or the function)."""
        return self.outer or self.loop

    def scope(self, facts: Facts) -> ast.AST:
        """The function (or module) that holds the window."""
        if isinstance(self.loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.loop
        return facts.function_of(self.region)

    def calls(self) -> Iterator[ast.Call]:
        """Calls made by the statements that run on every micro-batch, in source order."""
        for s in self.micro:
            for n in walk(s):
                if isinstance(n, ast.Call):
                    yield n


def _assigned_in(stmts: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for n in (x for s in stmts for x in walk(s)):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                names.update(assigned_names(t))
        elif isinstance(
            n,
            (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr),
        ):
            names.update(assigned_names(n.target))
        elif isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if item.optional_vars is not None:
                    names.update(assigned_names(item.optional_vars))
    return names


def _ancestors(facts: Facts, node: ast.AST) -> set[int]:
    """The ids of the nodes that enclose `node`."""
    out: set[int] = set()
    p = facts.parents.get(node)
    while p is not None:
        out.add(id(p))
        p = facts.parents.get(p)
    return out


def _setting_aliases(func: FuncDef, changing: set[str]) -> set[str]:
    """The names `func` binds exactly once, to a setting that does not change between its calls
    (``params = self.params``, ``cfg = self.cfg.train``): the same on every call."""
    counts: dict[str, int] = {}
    candidates: set[str] = set()
    for n in walk(func):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                for name in assigned_names(t):
                    counts[name] = counts.get(name, 0) + 1
            if len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                d = dotted(n.value) if isinstance(n.value, (ast.Name, ast.Attribute)) else None
                if (
                    d is not None
                    and d not in ("self", "cls")
                    and not any(
                        d == a or d.startswith(a + ".") or a.startswith(d + ".")
                        for a in changing - {n.targets[0].id}
                    )
                ):
                    candidates.add(n.targets[0].id)
        elif isinstance(
            n,
            (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr, ast.comprehension),
        ):
            for name in assigned_names(n.target):
                counts[name] = counts.get(name, 0) + 2
        elif isinstance(n, ast.withitem) and n.optional_vars is not None:
            for name in assigned_names(n.optional_vars):
                counts[name] = counts.get(name, 0) + 2
    return {name for name in candidates if counts.get(name) == 1}


class _LoopView:
    """The statements of one loop body, flattened through blocks that run on every iteration."""

    def __init__(
        self,
        facts: Facts,
        loop: Loop | FuncDef,
        varying: frozenset[str] = frozenset(),
        body: list[ast.stmt] | None = None,
    ):
        self.facts = facts
        self.loop = loop
        self.assigned = _assigned_in(loop.body) | varying
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            self.assigned |= set(assigned_names(loop.target))
        elif isinstance(loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.assigned -= _setting_aliases(loop, self.assigned | varying)
        self.items: list[ast.stmt] = []
        stack: list[list[ast.stmt]] = [list(reversed(loop.body if body is None else body))]
        while stack:
            block = stack[-1]
            if not block:
                stack.pop()
                continue
            s = block.pop()
            self.items.append(s)
            if isinstance(s, (ast.With, ast.AsyncWith)):
                stack.append(list(reversed(s.body)))
            elif isinstance(s, ast.Try):
                stack.append(list(reversed([*s.body, *s.orelse, *s.finalbody])))
            elif isinstance(s, ast.If) and self.invariant(s.test):
                stack.append(list(reversed([*s.body, *s.orelse])))

    def invariant(self, test: ast.expr) -> bool:
        """The test has the same value on every iteration (``if args.clip:``, ``if not bug:``).

        A test with a modulo (``self.step % k == 0``) is a counter test even when the counter is
        advanced elsewhere (a helper method, another loop)."""
        for n in walk(test):
            if isinstance(n, (ast.Call, ast.Await, ast.NamedExpr, ast.Subscript, ast.BinOp)):
                return False
            if isinstance(n, (ast.Name, ast.Attribute)):
                d = dotted(n)
                if d in ("self", "cls"):
                    continue  # the object itself; its attributes are checked one by one
                if d is None or any(
                    d == a or d.startswith(a + ".") or a.startswith(d + ".") for a in self.assigned
                ):
                    return False
        return True

    def simple(self, items: list[ast.stmt]) -> list[ast.stmt]:
        """The statements among `items` that are not compound blocks with their own control."""
        return [s for s in items if not isinstance(s, _COMPOUND)]


def _steps_in(facts: Facts, stmts: list[ast.stmt]) -> list[ast.Call]:
    return [
        n for s in stmts for n in walk(s) if isinstance(n, ast.Call) and facts.is_optimizer_step(n)
    ]


def _backwards_in(facts: Facts, stmts: list[ast.stmt]) -> list[ast.Call]:
    return [
        n
        for s in stmts
        for n in walk(s)
        if isinstance(n, ast.Call)
        and (facts.backward_of(n) is not None or _calls_helper(facts, n, facts.backward_functions))
    ]


def _backward_each_time(facts: Facts, simple: list[ast.stmt], items: list[ast.stmt]) -> bool:
    """Every iteration runs a backward: a simple statement does, or an ``if``/``else`` does in
    both branches (``if i < k - 1: with model.no_sync(): loss.backward() else: loss.backward()``)."""
    if _backwards_in(facts, simple):
        return True
    return any(
        isinstance(s, ast.If)
        and s.orelse
        and _backwards_in(facts, s.body)
        and _backwards_in(facts, s.orelse)
        for s in items
    )


def _both_backward(facts: Facts, s: ast.If) -> bool:
    return bool(s.orelse and _backwards_in(facts, s.body) and _backwards_in(facts, s.orelse))


def _branch_backwards(facts: Facts, items: list[ast.stmt]) -> list[ast.stmt]:
    """The backward statements of ``if``/``else`` blocks that backpropagate in both branches
    (``if sync: loss.backward() else: with model.no_sync(): loss.backward()``): one of them runs
    on every micro-batch."""
    out: list[ast.stmt] = []
    for s in items:
        if not isinstance(s, ast.If) or not _both_backward(facts, s):
            continue
        stack = [*s.body, *s.orelse]
        while stack:
            x = stack.pop(0)
            if isinstance(x, (ast.With, ast.AsyncWith)):
                stack[:0] = x.body
            elif not isinstance(x, _COMPOUND) and _backwards_in(facts, [x]):
                out.append(x)
    return out


def _calls_helper(facts: Facts, call: ast.Call, names: set[str]) -> bool:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id in names
    return isinstance(f, ast.Attribute) and f.attr in names and dotted(f.value) in ("self", "cls")


def _stepped(facts: Facts, steps: list[ast.Call]) -> set[str]:
    out: set[str] = set()
    for c in steps:
        rec = c.func.value if isinstance(c.func, ast.Attribute) else None
        if rec is not None and facts.is_scaler(rec) and c.args:
            d = dotted(c.args[0])
        else:
            d = dotted(rec) if rec is not None else None
        if d:
            out.add(d)
    return out


def _mod_k(test: ast.AST) -> ast.expr | None:
    for n in walk(test):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod):
            return n.right
    return None


# `window_test`'s answer for a guard that names no length (``accelerator.sync_gradients``).
_SYNC = ast.Name(id="k", ctx=ast.Load())


class _Finder:
    def __init__(self, facts: Facts, view: _LoopView) -> None:
        self.facts = facts
        self.view = view

    def window_test(self, test: ast.expr, depth: int = 0) -> ast.expr | None:
        """The window length's expression when `test` decides a window (`_SYNC` when it names
        none), else None."""
        k = _mod_k(test)
        if k is not None:
            return k
        for n in walk(test):
            d = dotted(n) if isinstance(n, (ast.Attribute, ast.Name)) else None
            if d is not None and d.endswith("sync_gradients"):
                return _SYNC
        if depth < 2 and isinstance(test, (ast.Name, ast.UnaryOp, ast.BoolOp, ast.Compare)):
            for n in walk(test):
                if isinstance(n, ast.Name):
                    value = self._assigned_value(n.id)
                    if value is not None:
                        k2 = self.window_test(value, depth + 1)
                        if k2 is not None:
                            return k2
        if isinstance(test, ast.BoolOp):
            # `k == 1 or n >= k`, `n >= k or last_batch`: the counter comparison decides.
            for value in test.values:
                if isinstance(value, ast.Compare):
                    k3 = self._counter_test(value)
                    if k3 is not None:
                        return k3
            return None
        if isinstance(test, ast.Compare):
            return self._counter_test(test)
        return None

    def _negated(self, test: ast.expr, depth: int = 0) -> bool:
        """`test` holds on the micro-batches that do not step (``i % k != 0``, ``n < k``,
        ``not sync``), also through a name bound to such a test in the loop."""
        if isinstance(test, ast.Name) and depth < 2:
            value = self._assigned_value(test.id)
            return value is not None and self._negated(value, depth + 1)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            operand = test.operand
            return isinstance(operand, ast.Compare) and isinstance(operand.ops[0], ast.Eq)
        return (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.NotEq, ast.Lt))
        )

    def _counter_test(self, test: ast.Compare) -> ast.expr | None:
        """``n == k`` / ``n >= k`` (or ``n < k``, ``n != k`` before a ``continue``) on a counter
        the function advances and resets; ``step - last_step >= k`` with ``last_step`` set
        when the optimizer steps."""
        if len(test.ops) != 1:
            return None
        op = test.ops[0]
        left = test.left
        if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Sub):
            last = dotted(left.right)
            if last is not None and isinstance(op, (ast.GtE, ast.Gt)) and self._reset(last):
                return test.comparators[0]
            return None
        counter = dotted(left)
        if counter is None or not isinstance(op, (ast.Eq, ast.GtE, ast.Gt, ast.Lt, ast.NotEq)):
            return None
        if self._is_counter(counter):
            return test.comparators[0]
        return None

    def _assigned_value(self, name: str) -> ast.expr | None:
        for s in self.view.items:
            if isinstance(s, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in s.targets
            ):
                return s.value
        return None

    def _scope(self) -> ast.AST:
        """Where a counter may be advanced: the function holding the loop (the loop itself at
        module level)."""
        if isinstance(self.view.loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.view.loop
        f = self.facts.function_of(self.view.loop)
        return self.view.loop if f is self.facts.tree else f

    def _is_counter(self, name: str) -> bool:
        """`name` is advanced by a constant (``+= 1``) and reset to 0 in the loop's function. A
        counter advanced by a data-dependent amount (``+= len(batch)``) does not show how many
        micro-batches a window holds: not a window."""
        incremented = reset = False
        for n in walk(self._scope()):
            if isinstance(n, ast.AugAssign) and dotted(n.target) == name:
                if not isinstance(n.value, ast.Constant):
                    return False
                incremented = incremented or isinstance(n.op, ast.Add)
            elif isinstance(n, ast.Assign) and any(dotted(t) == name for t in n.targets):
                reset = reset or (isinstance(n.value, ast.Constant) and n.value.value == 0)
        return incremented and reset

    def _reset(self, name: str) -> bool:
        """`name` is set, inside the loop, to another name (``last_step = step``)."""
        for n in walk(self.view.loop):
            if (
                isinstance(n, ast.Assign)
                and any(dotted(t) == name for t in n.targets)
                and isinstance(n.value, (ast.Name, ast.Attribute))
            ):
                return True
        return False

    def find(self) -> Window | None:
        facts, view = self.facts, self.view
        items = view.items
        cont = next(
            (
                idx
                for idx, s in enumerate(items)
                if isinstance(s, ast.If)
                and s.body
                and isinstance(s.body[-1], ast.Continue)
                and not view.invariant(s.test)
                and self.window_test(s.test) is not None
            ),
            None,
        )
        per_micro = items if cont is None else items[:cont]
        # An optimizer stepping on every iteration means no accumulation window, unless that step
        # sits in a branch run only when the window length is 1 (``if k > 1: <window> else:
        # <plain step>``): checked again below once the length is known.
        every = bool(_steps_in(facts, view.simple(per_micro)))
        if cont is not None:
            guard = items[cont]
            assert isinstance(guard, ast.If)
            steps = _steps_in(facts, items[cont + 1 :])
            k_node = _length(self.window_test(guard.test))
            if every and _steps_every(facts, view, per_micro, k_node):
                return None
            before = _accumulating(facts, view.simple(per_micro), k_node)
            if not steps or not _backward_each_time(
                facts, before, _accumulating(facts, per_micro, k_node)
            ):
                return None
            return Window(
                loop=view.loop,
                kind="continue",
                step=steps[0],
                condition=f"past `if {short(guard.test, 80)}: continue`",
                k=short(k_node, 40) if k_node is not None else "k",
                k_node=k_node,
                micro=before + _branch_backwards(facts, _accumulating(facts, per_micro, k_node)),
                stepped=_stepped(facts, steps),
            )
        for s in items:
            if not isinstance(s, ast.If) or view.invariant(s.test):
                continue
            k_found = self.window_test(s.test)
            if k_found is None:
                continue
            k_node = _length(k_found)
            # Statements in the other branch of a setting test than the guard's (``if amp:
            # <window> else: <plain step>``) never run in the same pass: not this window's.
            together = self._together(items, s)
            if every and _steps_every(facts, view, together, k_node):
                return None
            # A step only in a branch taken when k is 1 (``if k == 1: opt.step()``) is no
            # window's step.
            steps = _steps_in(facts, _accumulating(facts, s.body, k_node))
            condition = f"`{short(s.test, 80)}`"
            guard = s
            if not steps and s.orelse and self._negated(s.test):
                # `if is_accumulation_step: <backward> else: <backward>; opt.step()`
                steps = _steps_in(facts, s.orelse)
                condition = f"when `{short(s.test, 70)}` is false"
            elif not steps and len(s.orelse) == 1 and isinstance(s.orelse[0], ast.If):
                # `if i % k == 0: <zero, backward> elif i % k == k - 1: <backward, step> else:
                # <backward>`: the window's first, last and middle micro-batches.
                last = s.orelse[0]
                k_last = self.window_test(last.test)
                if k_last is not None and ast.dump(k_last) == ast.dump(k_found):
                    steps = _steps_in(facts, _accumulating(facts, last.body, k_node))
                    condition = f"`{short(last.test, 80)}`"
                    guard = last
            if not steps:
                continue
            rest = _accumulating(facts, [x for x in together if x is not s], k_node)
            micro = view.simple(rest)
            if not _backward_each_time(facts, micro, rest) and not _both_backward(facts, s):
                return None
            micro += _branch_backwards(facts, _accumulating(facts, together, k_node))
            return Window(
                loop=view.loop,
                kind="guard",
                step=steps[0],
                condition=condition,
                k=short(k_node, 40) if k_node is not None else "k",
                k_node=k_node,
                guard=guard,
                micro=micro,
                stepped=_stepped(facts, steps),
            )
        return None if every else self._flag_window(items)

    def _together(self, items: list[ast.stmt], guard: ast.If) -> list[ast.stmt]:
        """`items` without those that never run in the same pass as `guard` when they step the
        optimizer outside any window test: ``if amp: <window> else: <plain step every call>``
        (the plain branch is no part of the window). Two windows in the two branches of a
        setting (``if amp: <window> else: <window>``) stay together."""
        around = _ancestors(self.facts, guard)
        apart = [
            x
            for x in items
            if x is not guard and id(x) not in around and exclusive(self.facts, x, guard)
        ]
        plain = any(
            all(self.window_test(t) is None for _, t, _ in self.facts.branches(c))
            for c in _steps_in(self.facts, apart)
        )
        if not plain:
            return items
        gone = {id(x) for x in apart} | around
        return [x for x in items if x is guard or id(x) not in gone]

    def _flag_window(self, items: list[ast.stmt]) -> Window | None:
        """A helper that backpropagates on every call and steps only when a parameter says so,
        called with a window test for it: ``loss_scaler(loss, optimizer, update_grad=(i + 1) %
        k == 0)`` (the helper may be a method of an object built elsewhere in the tree)."""
        facts = self.facts
        micro = self.view.simple(items)
        for s in micro:
            for call in (n for n in walk(s) if isinstance(n, ast.Call)):
                param = facts.flag_step_functions.get(call_name(call))
                if param is None:
                    continue
                found = callee(facts, call, objects=True)
                if found is None:
                    # A loss scaler whose class is not in the tree: its `update_grad=` keyword.
                    arg = kwarg(call, param) if param == "update_grad" else None
                else:
                    _, func = found
                    pos = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
                    bound = not isinstance(call.func, ast.Name) or func.name == "__call__"
                    arg = passed_argument(call, func, param, pos, bound=bound)
                if arg is None or isinstance(arg, ast.Starred):
                    continue
                k_found = self.window_test(arg)
                if k_found is None or not _backwards_in(facts, micro):
                    continue
                k_node = _length(k_found)
                stepped = {
                    d
                    for a in [*call.args, *(k.value for k in call.keywords)]
                    if (d := dotted(a)) is not None and facts.is_optimizer(a)
                }
                return Window(
                    loop=self.view.loop,
                    kind="guard",
                    step=call,
                    condition=f"`{short(arg, 60)}` (passed as `{param}=` to `{short(call.func, 30)}`"
                    + (
                        ", read as MAE's loss scaler: its class is not in the linted tree)"
                        if found is None
                        else ")"
                    ),
                    k=short(k_node, 40) if k_node is not None else "k",
                    k_node=k_node,
                    micro=micro,
                    stepped=stepped,
                )
        return None


def _steps_every(facts: Facts, view: _LoopView, stmts: list[ast.stmt], k: ast.expr | None) -> bool:
    """An optimizer steps on every iteration outside the branches taken only when `k` is 1."""
    return bool(_steps_in(facts, view.simple(_accumulating(facts, stmts, k))))


def _accumulating(facts: Facts, stmts: list[ast.stmt], k: ast.expr | None) -> list[ast.stmt]:
    """`stmts` but those in a branch taken only when the window length `k` is 1 (``if
    args.accum_freq == 1: <plain step> else: <window>``): they belong to no window; nor does
    the ``if`` itself count as backpropagating in both branches."""
    if k is None:
        return stmts
    key = ast.dump(k)
    return [
        s
        for s in stmts
        if not any(_says_one(t, truth, key) for _, t, truth in facts.branches(s))
        and not (
            isinstance(s, ast.If)
            and (_says_one(s.test, True, key) or _says_one(s.test, False, key))
        )
    ]


def _says_one(test: ast.expr, truth: bool, key: str) -> bool:
    """The branch (`truth`: the body, else the ``else``) of ``if test:`` runs only when the
    expression dumped as `key` is 1 (``k == 1``, ``k <= 1``, ``not k > 1``, ``k != 1`` else)."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, truth = test.operand, not truth
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if not (isinstance(right, ast.Constant) and right.value == 1 and ast.dump(left) == key):
        return False
    if truth:
        return isinstance(op, (ast.Eq, ast.LtE))
    return isinstance(op, (ast.NotEq, ast.Gt))


def _span(start: ast.expr, stop: ast.expr) -> ast.expr:
    """The length of ``range(start, stop)`` as an expression (``n`` for ``range(1, n + 1)``)."""
    if (
        isinstance(stop, ast.BinOp)
        and isinstance(stop.op, ast.Add)
        and ast.dump(stop.right) == ast.dump(start)
    ):
        return stop.left
    if isinstance(start, ast.Constant) and start.value == 0:
        return stop
    node = ast.BinOp(left=stop, op=ast.Sub(), right=start)
    return ast.copy_location(node, stop)


def _length(found: ast.expr | None) -> ast.expr | None:
    return None if found is None or found is _SYNC else found


def _nested(facts: Facts, view: _LoopView) -> Window | None:
    """Seed 003's shape: ``for upd in ...: for _ in range(k): ...backward...``, then the step."""
    if isinstance(view.loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    items = view.items
    for idx, inner in enumerate(items):
        if not isinstance(inner, (ast.For, ast.AsyncFor, ast.While)):
            continue
        if _steps_in(facts, [inner]):
            continue
        inner_view = _LoopView(facts, inner)
        micro = inner_view.simple(inner_view.items)
        if not _backward_each_time(facts, micro, inner_view.items):
            continue
        after = items[idx + 1 :]
        # The step may sit in a loop over the optimizers (`for opt in opts: opt.step()`).
        steps = _steps_in(facts, view.simple(after) + [s for s in after if isinstance(s, ast.For)])
        if not steps:
            continue
        k = "k"
        k_node: ast.expr | None = None
        if (
            isinstance(inner, ast.For)
            and isinstance(inner.iter, ast.Call)
            and isinstance(inner.iter.func, ast.Name)
            and inner.iter.func.id == "range"
            and 1 <= len(inner.iter.args) <= 2
            and not inner.iter.keywords
        ):
            args = inner.iter.args
            k_node = args[0] if len(args) == 1 else _span(args[0], args[1])
            k = short(k_node, 40)
        head = short(inner.iter if isinstance(inner, (ast.For, ast.AsyncFor)) else inner.test)
        return Window(
            loop=inner,
            kind="nested",
            step=steps[0],
            condition=f"after each inner loop over `{head}`",
            k=k,
            k_node=k_node,
            outer=view.loop,
            micro=micro,
            stepped=_stepped(facts, steps),
        )
    return None


def _loops_with_backward(facts: Facts) -> set[int]:
    """The loops (by id) that hold a backward call or a call of a helper that runs one: only
    those can be windows."""
    names = facts.backward_functions
    out: set[int] = set()
    for call in facts.calls:
        name = call_name(call)
        if name not in ("backward", "manual_backward") and name not in names:
            continue
        p = facts.parents.get(call)
        while p is not None:
            if isinstance(p, (ast.For, ast.AsyncFor, ast.While)):
                if id(p) in out:
                    break  # its enclosing loops are marked already
                out.add(id(p))
            p = facts.parents.get(p)
    return out


def scan_windows(facts: Facts) -> list[Window]:
    """Every accumulation window of the file, in source order (at most one per loop)."""
    out: list[Window] = []
    candidates = _loops_with_backward(facts)
    for loop in facts.loops:
        if id(loop) not in candidates:
            continue
        view = _LoopView(facts, loop)
        w = _Finder(facts, view).find()
        if w is None:
            w = _nested(facts, view)
        if w is None:
            w = _skipping(facts, view)
        if w is not None:
            out.append(w)
    return out


def _skipping(facts: Facts, view: _LoopView) -> Window | None:
    """A window whose micro-batches all sit under one data test that skips a batch (``if
    mask.sum() > 0:``, ``if loss is not None:``) with no ``else``: the test is no window test,
    so the window is the one the ``if``'s body holds, read as if the test were not there."""
    loop = view.loop
    if isinstance(loop, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    for idx, s in enumerate(loop.body):
        if (
            not isinstance(s, ast.If)
            or s.orelse
            or view.invariant(s.test)
            or any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in walk(s.test))
            or "sync" in ast.unparse(s.test)
            or not _steps_in(facts, s.body)
            or not _backwards_in(facts, s.body)
        ):
            continue
        if _steps_in(facts, [x for x in loop.body if x is not s]):
            return None  # a step outside the skipped block: another shape
        body = [*loop.body[:idx], *s.body, *loop.body[idx + 1 :]]
        return _Finder(facts, _LoopView(facts, loop, body=body)).find()
    return None


def accumulate_blocks(facts: Facts) -> list[ast.With | ast.AsyncWith]:
    """``with accelerator.accumulate(model):`` blocks (accelerate decides when to sync/step)."""
    out = []
    for w in facts.withs:
        for item in w.items:
            e = item.context_expr
            if (
                isinstance(e, ast.Call)
                and isinstance(e.func, ast.Attribute)
                and e.func.attr == "accumulate"
                and facts.is_accelerator(e.func.value)
            ):
                out.append(w)
                break
    return out
