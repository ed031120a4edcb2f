"""stepguard: make the optimizer step of PyTorch training correct, and prove it.

The public API, re-exported here; each name is documented where it is defined. Names that need
torch are imported on first use, so `import stepguard` (and `stepguard lint`, the flake8 plugin)
stays fast and torch-free.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stepguard.catalog import CATALOG, Rule, Severity, rule
from stepguard.findings import Finding, FindingsError, Report

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "ParamDecision": "stepguard.groups",
    "DEFAULT_NO_DECAY": "stepguard.groups",
    "classify": "stepguard.groups",
    "param_groups": "stepguard.groups",
    "GroupSummary": "stepguard.groups",
    "summarize_groups": "stepguard.groups",
    "muon_param_groups": "stepguard.groups",
    "audit": "stepguard.auditing",
    "decay_timescale": "stepguard.auditing",
    "weight_decay_for_timescale": "stepguard.auditing",
    "convert_weight_decay": "stepguard.auditing",
    "Accumulator": "stepguard.accumulation",
    "optimizer_steps": "stepguard.accumulation",
    "check_accumulation": "stepguard.accumulation",
    "AccumulationCheck": "stepguard.accumulation",
    "Monitor": "stepguard.monitoring",
    "schedule_length": "stepguard.auditing",
}

if TYPE_CHECKING:
    from stepguard.accumulation import (
        AccumulationCheck,
        Accumulator,
        check_accumulation,
        optimizer_steps,
    )
    from stepguard.auditing import (
        audit,
        convert_weight_decay,
        decay_timescale,
        schedule_length,
        weight_decay_for_timescale,
    )
    from stepguard.groups import (
        DEFAULT_NO_DECAY,
        GroupSummary,
        ParamDecision,
        classify,
        muon_param_groups,
        param_groups,
        summarize_groups,
    )
    from stepguard.monitoring import Monitor


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stepguard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "CATALOG",
    "DEFAULT_NO_DECAY",
    "AccumulationCheck",
    "Accumulator",
    "Finding",
    "FindingsError",
    "GroupSummary",
    "Monitor",
    "ParamDecision",
    "Report",
    "Rule",
    "Severity",
    "__version__",
    "audit",
    "check_accumulation",
    "classify",
    "convert_weight_decay",
    "decay_timescale",
    "muon_param_groups",
    "optimizer_steps",
    "param_groups",
    "rule",
    "schedule_length",
    "summarize_groups",
    "weight_decay_for_timescale",
]
