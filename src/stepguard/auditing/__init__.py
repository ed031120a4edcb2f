"""The live audit: one look at a model, its optimizer (and scheduler, loss) before training.

`audit(model, optimizer, ...)` gathers the facts (`_audit`), the checks turn them into catalog
findings (`_checks`), `_decay_style` says how an optimizer applies weight decay, `_penalties` finds
explicit norm penalties in a loss's autograd graph, `_schedule` reads how many steps a scheduler is sized for (SG205), and `_timescale` holds the weight-decay
conventions (`decay_timescale`, `weight_decay_for_timescale`, `convert_weight_decay`).
"""

from __future__ import annotations

from stepguard.auditing._audit import DEFAULT_TAU_BAND, audit
from stepguard.auditing._schedule import schedule_length
from stepguard.auditing._timescale import (
    CONVENTIONS,
    Convention,
    convert_weight_decay,
    decay_timescale,
    weight_decay_for_timescale,
)

__all__ = [
    "CONVENTIONS",
    "DEFAULT_TAU_BAND",
    "Convention",
    "audit",
    "convert_weight_decay",
    "decay_timescale",
    "schedule_length",
    "weight_decay_for_timescale",
]
