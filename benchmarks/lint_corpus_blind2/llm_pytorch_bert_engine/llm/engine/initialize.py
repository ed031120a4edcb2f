"""Wrap model / optimizer / criterion / scheduler for DDP, AMP and accumulation."""

from __future__ import annotations

import os

import torch

from llm.engine import accumulation, amp
from llm.engine.base import BaseOptimizer


def initialize(model, optimizer, criterion, scheduler, accumulation_steps=1, dtype=None, max_norm=None, **kwargs):
    if torch.cuda.is_available():
        model.cuda()

    if torch.distributed.is_initialized():
        local_rank = int(os.environ["LOCAL_RANK"]) if torch.cuda.is_available() else None
        model = torch.nn.parallel.DistributedDataParallel(
            model,
            device_ids=[local_rank] if local_rank is not None else None,
            output_device=local_rank,
        )

    optimizer = BaseOptimizer(optimizer)

    if dtype is not None:
        model, optimizer, criterion = amp.initialize(
            model=model, optimizer=optimizer, criterion=criterion, dtype=dtype, max_norm=max_norm, **kwargs
        )

    if accumulation_steps > 1:
        optimizer, scheduler = accumulation.initialize(
            model=model, optimizer=optimizer, scheduler=scheduler, accumulation_steps=accumulation_steps
        )

    return model, optimizer, criterion, scheduler
