"""The linter's result type `Violation` (a finding with the `Edit`s of its fix) and `violation`.

`stepguard.lint._rules` re-exports `Edit` and `Violation`; rule modules build violations with
`violation(...)` so every finding carries a catalog code and a 1-based character position. The
values a rule reads from the code are resolved in `stepguard.lint._values`; edits are applied by
`stepguard.lint._autofix`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from stepguard.findings import Finding
from stepguard.lint._autofix import Edit
from stepguard.lint._scan import Facts

__all__ = ["Edit", "Violation", "violation"]


@dataclass(frozen=True)
class Violation:
    """One finding in a file, with the edits of its safe fix (empty when there is none).

    The edits of one violation never overlap each other; edits of different violations may, so
    apply them with `stepguard.lint._engine.fix_source` (which re-lints between rounds).
    """

    finding: Finding
    edits: tuple[Edit, ...] = ()


def violation(
    facts: Facts,
    node: ast.AST,
    code: str,
    message: str,
    edits: tuple[Edit, ...] = (),
    **data: Any,
) -> Violation:
    """A `Violation` located at `node`'s start (1-based line, 1-based character column)."""
    line = getattr(node, "lineno", 1)
    col = facts.text.char_col(line, getattr(node, "col_offset", 0)) + 1
    finding = Finding(code=code, message=message, path=None, line=line, col=col, data=data)
    return Violation(finding=finding, edits=edits)
