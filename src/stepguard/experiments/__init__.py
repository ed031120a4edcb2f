"""The reproducible bug-vs-fix experiments behind `stepguard demo`.

`_weight_decay` (seeds 000-002) and `_accumulation` (seed 003) define the runs, `_loops` the two
accumulation training loops as a user writes them, `_suite` the quick/default/full presets and the
summaries, `_parallel` and `_progress` how runs are executed and shown, `_report` / `_report_text` /
`_format` the Markdown, JSON and PNG output, `_files` the report directory, `_cli` the command.

The public pieces are re-exported here and imported on first use (the command checks its options
before torch is imported): `exactness` and `variable_length` (the accumulation checks as plain
functions), `run_demo` and `write_report` (the command as two calls), and `DemoInterrupted`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "exactness": "stepguard.experiments._accumulation",
    "variable_length": "stepguard.experiments._accumulation",
    "run_demo": "stepguard.experiments._cli",
    "DemoInterrupted": "stepguard.experiments._cli",
    "write_report": "stepguard.experiments._report",
}

if TYPE_CHECKING:
    from stepguard.experiments._accumulation import exactness, variable_length
    from stepguard.experiments._cli import DemoInterrupted, run_demo
    from stepguard.experiments._report import write_report


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stepguard.experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["DemoInterrupted", "exactness", "run_demo", "variable_length", "write_report"]
