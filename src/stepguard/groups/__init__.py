"""Weight-decay parameter groups, with a reason for every tensor.

`classify(model)` decides, per tensor, whether it decays and why (`_roles` holds the structural
rules; with ``example_inputs``, `_forward` runs one forward that `_use` watches to decide roles by
use); `param_groups` turns the decisions into torch param-group dicts; `muon_param_groups` splits
a model between Muon and AdamW; `summarize_groups` prints what a set of groups (or an optimizer)
holds.
"""

from __future__ import annotations

from stepguard.groups._classify import (
    DEFAULT_NO_DECAY,
    NO_DECAY_CATEGORIES,
    REASONS,
    ParamDecision,
    classify,
    param_groups,
)
from stepguard.groups._muon import muon_param_groups, output_head
from stepguard.groups._summary import GroupRow, GroupSummary, ParamRow, summarize_groups

__all__ = [
    "DEFAULT_NO_DECAY",
    "NO_DECAY_CATEGORIES",
    "REASONS",
    "GroupRow",
    "GroupSummary",
    "ParamDecision",
    "ParamRow",
    "classify",
    "muon_param_groups",
    "output_head",
    "param_groups",
    "summarize_groups",
]
