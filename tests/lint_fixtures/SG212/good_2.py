# Seed 003's DDP template: the context chosen first, forward and backward inside it.
from contextlib import nullcontext

import torch


def train(model, loader, criterion, optimizer, scheduler, accum_steps, max_norm):
    for i, (x, y) in enumerate(loader):
        ctx = model.no_sync() if (i % accum_steps != accum_steps - 1) else nullcontext()
        with ctx:
            loss = criterion(model(x), y) / accum_steps
            loss.backward()
        if i % accum_steps == accum_steps - 1:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()
