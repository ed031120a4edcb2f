"""The flake8 plugin: `flake8 --select=SG` reports the linter's findings (codes SG101-SG212).

flake8 runs every installed plugin on every file it checks, so the plugin first applies the cheap
textual pre-filter (`might_contain_training_code`): a file with no optimizer or training code
costs one scan of its text. flake8 already parsed the file; the plugin reuses that tree. Columns:
flake8 plugins yield 0-based columns and flake8 prints them plus one, so the printed column equals
`stepguard lint`'s 1-based one. `# noqa` and selection are flake8's own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from stepguard import __version__

__all__ = ["Flake8Plugin"]


class Flake8Plugin:
    """flake8's AST plugin protocol: constructed with the file's `tree`, `lines` and `filename`,
    `run()` yields ``(line, col0, "SGxxx message", type)`` tuples."""

    name = "stepguard"
    version = __version__

    def __init__(
        self, tree: ast.AST, lines: Sequence[str] = (), filename: str = "<string>"
    ) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type[Flake8Plugin]]]:
        """Yield one flake8 result per finding; nothing for files without training code."""
        from stepguard.lint._rules import check_source, might_contain_training_code

        source = "".join(self.lines) if self.lines else ast.unparse(self.tree)
        if not might_contain_training_code(source):
            return
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        for violation in check_source(source, self.filename, tree=tree):
            f = violation.finding
            yield (f.line or 1, max(0, (f.col or 1) - 1), f"{f.code} {f.message}", type(self))
