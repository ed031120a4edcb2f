"""Exact gradient accumulation: k micro-batches make the same optimizer step as one big batch.

`Accumulator` (`_accumulator`) owns the window: loss scaling, clipping, AMP, the scheduler, DDP /
FSDP2 gradient sync and checkpoints. It is built on `_engine` (closing a window: combine, scale,
check, step) and `_ranks` (several ranks: the one agreement per window, zero-weight windows for
uneven inputs), with `_ddp` (the wrappers' sync, the all-reduces) and `_window` (what a window
holds, the numbers the ranks agree on, the SG207 warnings);
`_args` validates what it is given before anything is applied; `count_rows` / `count_tokens`
(`_items`) count what a micro-batch holds; `check_accumulation` (`_check`) tests, on copies of a
real model, whether accumulating equals one big batch and names the cause when it does not.
"""

from __future__ import annotations

from stepguard.accumulation._accumulator import Accumulator, optimizer_steps
from stepguard.accumulation._check import AccumulationCause, AccumulationCheck, check_accumulation
from stepguard.accumulation._items import count_rows, count_tokens

__all__ = [
    "AccumulationCause",
    "AccumulationCheck",
    "Accumulator",
    "check_accumulation",
    "count_rows",
    "count_tokens",
    "optimizer_steps",
]
