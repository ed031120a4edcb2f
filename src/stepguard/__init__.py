"""stepguard: make the optimizer step of PyTorch training correct, and prove it.

The public API, re-exported here; each name is documented where it is defined. Names that need
torch are imported on first use, so `import stepguard` (and `stepguard lint`, the flake8 plugin)
stays fast and torch-free.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stepguard.findings import CATALOG, Finding, FindingsError, Report, Rule, Severity, rule

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "ParamDecision": "stepguard.grouping",
    "DEFAULT_NO_DECAY": "stepguard.grouping",
    "classify": "stepguard.grouping",
    "param_groups": "stepguard.grouping",
    "GroupSummary": "stepguard.grouping_summary",
    "summarize_groups": "stepguard.grouping_summary",
    "muon_param_groups": "stepguard.hybrid",
    "audit": "stepguard.audit",
    "decay_timescale": "stepguard.decay",
    "weight_decay_for_timescale": "stepguard.decay",
    "convert_weight_decay": "stepguard.decay",
    "Accumulator": "stepguard.accumulate",
    "optimizer_steps": "stepguard.accumulate",
    "check_accumulation": "stepguard.accumulate_check",
    "AccumulationCheck": "stepguard.accumulate_check",
    "Monitor": "stepguard.monitor",
    "schedule_length": "stepguard.schedule",
}

if TYPE_CHECKING:
    from stepguard.accumulate import Accumulator, optimizer_steps
    from stepguard.accumulate_check import AccumulationCheck, check_accumulation
    from stepguard.audit import audit
    from stepguard.decay import convert_weight_decay, decay_timescale, weight_decay_for_timescale
    from stepguard.grouping import DEFAULT_NO_DECAY, ParamDecision, classify, param_groups
    from stepguard.grouping_summary import GroupSummary, summarize_groups
    from stepguard.hybrid import muon_param_groups
    from stepguard.monitor import Monitor
    from stepguard.schedule import schedule_length


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
