"""The linter's result type `Violation` (a finding with the `Edit`s of its fix) and `violation`.

`stepguard.lint._rules` re-exports `Edit` and `Violation`; rule modules build violations with
`violation(...)` so every finding carries a catalog code and a 1-based character position, and
the `Condition`s it depends on (the window length, the weight decay, AMP on or off, the world
size), from which `stepguard.lint._activity` decides whether it is active or latent. The values a
rule reads from the code are resolved in `stepguard.lint._values`; edits are applied by
`stepguard.lint._autofix`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from stepguard.findings import Finding
from stepguard.lint._autofix import Edit
from stepguard.lint._scan import Facts

__all__ = ["Condition", "Edit", "Violation", "violation"]


@dataclass(frozen=True, eq=False)
class Condition:
    """A value a finding depends on, and what it must be for the finding to bite.

    `exprs` are the places the value is written (alternatives: the condition holds when any of
    them satisfies `test`), in the file of `facts`; `test` is ``">0"``, ``">1"``, ``"true"`` or
    ``"false"`` (or ``"fp16"``: a mixed-precision mode that is fp16; ``"ddp"``: a Lightning strategy that is DDP); `what` names the value in
    messages (``gradient_accumulation_steps``, ``weight_decay``). No `exprs` means the world size of the launch. A `neutral` condition that
    cannot be resolved does not make the finding latent (a branch test such as ``if rank == 0``).
    """

    what: str
    exprs: tuple[ast.expr, ...]
    facts: Facts | None
    test: str
    neutral: bool = False


@dataclass(frozen=True)
class Violation:
    """One finding in a file, with the edits of its safe fix (empty when there is none).

    The edits of one violation never overlap each other; edits of different violations may, so
    apply them with `stepguard.lint._engine.fix_source` (which re-lints between rounds).
    `conditions`, `node` and `context` are the rule's working state (what the finding depends
    on, where it is, and the node whose enclosing ``if`` tests also decide it: `node` unless the
    rule says otherwise); `stepguard.lint._rules.check_source` consumes and clears them.
    """

    finding: Finding
    edits: tuple[Edit, ...] = ()
    conditions: tuple[Condition, ...] = field(default=(), compare=False, repr=False)
    node: ast.AST | None = field(default=None, compare=False, repr=False)
    context: ast.AST | None = field(default=None, compare=False, repr=False)


def violation(
    facts: Facts,
    node: ast.AST,
    code: str,
    message: str,
    edits: tuple[Edit, ...] = (),
    conditions: tuple[Condition, ...] | list[Condition] = (),
    context: ast.AST | None = None,
    **data: Any,
) -> Violation:
    """A `Violation` located at `node`'s start (1-based line, 1-based character column).

    `conditions` are what the finding depends on; the tests of the ``if`` blocks around
    `context` (default: `node`) are added to them when its activity is decided.
    """
    line = getattr(node, "lineno", 1)
    col = facts.text.char_col(line, getattr(node, "col_offset", 0)) + 1
    finding = Finding(code=code, message=message, path=None, line=line, col=col, data=data)
    return Violation(
        finding=finding, edits=edits, conditions=tuple(conditions), node=node, context=context
    )
