"""Exact gradient accumulation: k micro-batches make the same optimizer step as one big batch.

`Accumulator` (`_accumulator`) owns the window: loss scaling, clipping, AMP, the scheduler, DDP /
FSDP2 gradient sync (`_ddp`) and checkpoints; `_args` validates what it is given before anything
is applied; `check_accumulation` (`_check`) tests, on copies of a real model, whether accumulating
equals one big batch and names the cause when it does not.
"""

from __future__ import annotations

from stepguard.accumulation._accumulator import Accumulator, optimizer_steps
from stepguard.accumulation._check import AccumulationCause, AccumulationCheck, check_accumulation

__all__ = [
    "AccumulationCause",
    "AccumulationCheck",
    "Accumulator",
    "check_accumulation",
    "optimizer_steps",
]
