"""The same window with the non-final micro-batches under `no_sync()`: DDP all-reduces only on the
backward that ends the window."""

import contextlib

import torch
from torch.nn.parallel import DistributedDataParallel as DDP


def train(net, optimizer, loader, grad_acc_step, rank):
    model = DDP(net.cuda(rank), device_ids=[rank])
    step = 1
    for batch in loader:
        last = step % grad_acc_step == 0
        with contextlib.nullcontext() if last else model.no_sync():
            loss = model(batch).mean() / grad_acc_step
            loss.backward()
        if last:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step_and_update_lr()
            optimizer.zero_grad()
        step += 1
