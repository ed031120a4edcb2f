"""`stepguard lint`: static analysis of training scripts for the catalog's pitfalls.

The linter never imports or runs the code it reads. Layers: `_scan` (facts about a file, in
`_facts`, with `_nodes`, the known library names of `_names`, and `_windows`), `_objects` (what a
name holds and which function a call runs, across functions and files), `_flow` (which statements
can run, and run together) and `_values` (every value resolution: names, numbers, optimizer
arguments, from the shared `stepguard._optimizers` table) read the code; `_project` is the linted
tree as one program (project mode: imports, helpers and base classes resolved across files),
`_settings` the values it ships (argparse and dataclass defaults, configs read by `_configs`,
launch scripts read by `_launch`), `_evaluate` what an expression is worth in each of its
scenarios, and `_activity` whether each finding is active or latent. The rules (`_rules_decay`,
`_rules_penalty`, `_rules_loss`, `_rules_loop`, `_rules_schedule`, `_rules_sync`, with `_models`
and `_window_rules`; run by `_rules`, on `_base`) build findings, each rule's safe fix next to it;
`_autofix` is the generic edit machinery (`Edit`, `apply_edits`); `_engine` reads files, applies
selection, `# noqa` (`_noqa`) and fixes; `_files` discovers and writes files; `_config` reads
``[tool.stepguard]``; `_formats` prints text, JSON and SARIF; `_cli` is the command line and
`flake8_plugin` the flake8 entry point.

This package imports nothing heavy (no torch): `lint_paths` and `lint_source` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stepguard.lint._engine import fix_source, lint_paths, lint_source

__all__ = ["fix_source", "lint_paths", "lint_source"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import stepguard.lint._files` (or the flake8 plugin) does not load the rules.
    if name in __all__:
        from stepguard.lint import _engine as engine

        return getattr(engine, name)
    raise AttributeError(f"module 'stepguard.lint' has no attribute {name!r}")
