"""The two training loops of the accumulation demo, written the way a user writes them (seed 003).

`train_buggy` is the seed's buggy loop: the micro-batch loss is not divided by k, gradients are
clipped after every micro-batch and the scheduler steps after every micro-batch. `train_fixed`
hands the window to `stepguard.accumulation._accumulator.Accumulator`. `stepguard demo` runs both and also runs
the linter on this file's source, so the linter's findings point at the very lines that ran.
`log` receives what the report plots; it does not change the training.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from stepguard.accumulation import Accumulator

Batches = Iterator[tuple[torch.Tensor, torch.Tensor]]


def train_buggy(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    batches: Batches,
    accum_steps: int,
    updates: int,
    log: Any,
) -> None:
    """The seed's loop: no /k, clip and scheduler.step() on every micro-batch."""
    optimizer.zero_grad(set_to_none=True)
    for _ in range(updates):
        for _ in range(accum_steps):
            x, y = next(batches)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scheduler.step()
            log.micro(loss, norm)
        log.step(optimizer.param_groups[0]["lr"])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def train_fixed(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    batches: Batches,
    accum_steps: int,
    updates: int,
    log: Any,
) -> None:
    """The same training with `Accumulator`: loss / k, clip once, one scheduler step per update."""
    acc = Accumulator(model, optimizer, steps=accum_steps, scheduler=scheduler, clip_grad_norm=1.0)
    stream = (next(batches) for _ in range(updates * accum_steps))
    for x, y in acc.iterate(stream):
        loss = F.cross_entropy(model(x), y)
        lr = optimizer.param_groups[0]["lr"]
        if acc.backward(loss):
            log.micro(loss, acc.last_grad_norm)
            log.step(lr)
        else:
            log.micro(loss, None)
