"""`stepguard lint`: static analysis of training scripts for the catalog's pitfalls.

The linter never imports or runs the code it reads. Layers: `scan` (facts about a file) and
`rules` (findings with safe fix edits) see one source string; `autofix` applies edits; `engine`
reads files, applies selection, `# noqa` and fixes; `files` discovers files; `config` reads
``[tool.stepguard]``; `formats` prints text, JSON and SARIF; `cli` is the command line and
`flake8_plugin` the flake8 entry point.

This package imports nothing heavy (no torch): `lint_paths` and `lint_source` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stepguard.lint.engine import fix_source, lint_paths, lint_source

__all__ = ["fix_source", "lint_paths", "lint_source"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import stepguard.lint.files` (or the flake8 plugin) does not load the rules.
    if name in __all__:
        from stepguard.lint import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'stepguard.lint' has no attribute {name!r}")
