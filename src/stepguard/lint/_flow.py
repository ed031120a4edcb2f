"""Control flow, read from the syntax tree: which statements can run at all, and which can run
together.

- `reachable`: a node after ``raise`` / ``return`` / ``continue`` / ``break`` / ``assert False`` in
  its block or an enclosing one, under ``if False:``, or in a branch an earlier ``assert`` rules
  out (``assert opt in ("adamw",)`` before ``if opt == "sgd":``; the ``else`` of an exhaustive
  ``if``/``elif`` chain, also compared after ``.lower()``) never runs: no finding there.
- `exclusive`: two nodes in opposite branches of one ``if``, or of two ``if`` blocks with the same
  test (``if use_amp: ... else: ...`` twice), never both run in one pass (SG204, SG210).
"""

from __future__ import annotations

import ast

from stepguard.lint._facts import Facts

__all__ = ["exclusive", "reachable"]


def reachable(facts: Facts, node: ast.AST) -> bool:
    """False when `node` can never run: it follows, in its block or an enclosing one, a
    statement that always leaves (``raise``, ``return``, ``continue``, ``break``, ``assert
    False``), or it sits in a branch whose test an earlier ``assert`` rules out (``assert
    opt in ("adamw",)`` ... ``if opt == "sgd":``), or under ``if False:``."""
    needs: list[tuple[ast.expr, bool]] = []  # the tests of every `if` around `node`
    asserts: list[ast.expr] = []  # the asserts that run before it
    child: ast.AST = node
    parent = facts.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If) and child is not parent.test:
            truth = any(s is child for s in parent.body)
            if _constant_truth(parent.test) is (not truth):
                return False
            needs.append((parent.test, truth))
        for name in ("body", "orelse", "finalbody"):
            block = getattr(parent, name, None)
            if not isinstance(block, list) or not any(s is child for s in block):
                continue
            for s in block[: next(i for i, x in enumerate(block) if x is child)]:
                if isinstance(s, (ast.Raise, ast.Return, ast.Continue, ast.Break)):
                    return False
                if isinstance(s, ast.Assert):
                    if _constant_truth(s.test) is False:
                        return False
                    asserts.append(s.test)
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
        child, parent = parent, facts.parents.get(parent)
    for test in asserts:
        if any(_contradicts(test, t, truth) for t, truth in needs):
            return False
        if _excluded(facts, test, needs):
            return False
    return True


def _subject(facts: Facts, node: ast.expr, at: ast.AST) -> tuple[str, bool]:
    """A comparison's subject, for matching tests on the same value: a local name bound to
    ``x.lower()`` (or ``x`` itself) stands for ``x``; True when it was case-folded."""
    fold = False
    for _ in range(3):
        if isinstance(node, ast.Name):
            value = facts.local_value(node.id, at)
            if value is None:
                break
            node = value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("lower", "upper", "casefold", "strip")
            and not node.args
        ):
            fold = fold or node.func.attr != "strip"
            node = node.func.value
        else:
            break
    return ast.dump(node), fold


def _excluded(facts: Facts, assertion: ast.expr, needs: list[tuple[ast.expr, bool]]) -> bool:
    """``assert x in ("A", "B")`` while the branch needs ``x`` to be none of them (the ``else``
    of ``if x == "a": ... elif x == "b":``, compared after ``.lower()``)."""
    a = _allowed(assertion)
    if a is None or not a[2]:
        return False
    subject, fold = _subject(facts, assertion.left, assertion)  # type: ignore[attr-defined]
    found: list[tuple[set[object], bool]] = []
    for test, truth in needs:
        test, truth = _strip_not(test, truth)
        t = _allowed(test)
        if t is None:
            continue
        key, tfold = _subject(facts, test.left, test)  # type: ignore[attr-defined]
        if key == subject:
            found.append((t[1], t[2] == truth))
            fold = fold or tfold
    allowed = {_folded(v, fold) for v in a[1]}
    excluded: set[object] = set()
    for values, required in found:
        folded = {_folded(v, fold) for v in values}
        if required:
            allowed &= folded
        else:
            excluded |= folded
    return not (allowed - excluded)


def exclusive(facts: Facts, a: ast.AST, b: ast.AST) -> bool:
    """`a` and `b` never both run in one pass: they sit in opposite branches of one ``if``, or
    of two ``if`` blocks with the same test (``if use_amp: ... else: ...`` twice, ``if not
    use_amp:``), a test made of names and constants only."""
    for ia, ta, pa in facts.branches(a):
        for ib, tb, pb in facts.branches(b):
            if ia is ib:
                if pa != pb:
                    return True
                continue
            x, px = _strip_not(ta, pa)
            y, py = _strip_not(tb, pb)
            if px != py and _plain(x) and ast.dump(x) == ast.dump(y):
                return True
    return False


def _strip_not(test: ast.expr, truth: bool) -> tuple[ast.expr, bool]:
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, truth = test.operand, not truth
    return test, truth


def _plain(test: ast.expr) -> bool:
    """A test made of names, attributes, constants and comparisons (no calls, no subscripts)."""
    allowed = (ast.Name, ast.Attribute, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp)
    markers = (ast.cmpop, ast.boolop, ast.unaryop, ast.expr_context)
    return all(isinstance(n, allowed + markers) for n in ast.walk(test))


def _folded(value: object, fold: bool) -> object:
    return value.lower() if fold and isinstance(value, str) else value


def _constant_truth(test: ast.expr) -> bool | None:
    if isinstance(test, ast.Constant):
        return bool(test.value)
    return None


def _constants(node: ast.expr) -> set[object] | None:
    if isinstance(node, ast.Constant):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(
        isinstance(e, ast.Constant) for e in node.elts
    ):
        return {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return None


def _allowed(test: ast.expr) -> tuple[str, set[object], bool] | None:
    """``x == c`` / ``x in (a, b)`` as (x, values, True); ``x != c`` / ``not in`` as (.., False)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    values = _constants(test.comparators[0])
    if values is None:
        return None
    op = test.ops[0]
    subject = ast.dump(test.left)
    if isinstance(op, (ast.Eq, ast.In)):
        return subject, values, True
    if isinstance(op, (ast.NotEq, ast.NotIn)):
        return subject, values, False
    return None


def _contradicts(assertion: ast.expr, test: ast.expr, truth: bool) -> bool:
    """An ``assert assertion`` that held makes ``test`` unable to be `truth`."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, truth = test.operand, not truth
    while isinstance(assertion, ast.UnaryOp) and isinstance(assertion.op, ast.Not):
        if ast.dump(assertion.operand) == ast.dump(test):
            return truth
        return False
    if ast.dump(assertion) == ast.dump(test):
        return not truth
    a, t = _allowed(assertion), _allowed(test)
    if a is None or t is None or a[0] != t[0]:
        return False
    allowed = a[1] if a[2] else None  # values the assert leaves (None: all but a[1])
    wanted = t[1] if (t[2] == truth) else None  # values the branch needs (None: all but t[1])
    if allowed is not None and wanted is not None:
        return not (allowed & wanted)
    if allowed is None and wanted is not None:
        return wanted <= a[1]
    if allowed is not None and wanted is None:
        return allowed <= t[1]
    return False
