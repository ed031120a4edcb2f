"""A window stepped through a scheduled-optimizer wrapper (`optimizer.step_and_update_lr()`, the
Transformer / FastSpeech shape) on a DDP model: every micro-batch's backward all-reduces."""

import torch
from torch.nn.parallel import DistributedDataParallel as DDP


def train(net, optimizer, loader, grad_acc_step, rank):
    model = DDP(net.cuda(rank), device_ids=[rank])
    step = 1
    for batch in loader:
        loss = model(batch).mean() / grad_acc_step
        loss.backward()
        if step % grad_acc_step == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step_and_update_lr()
            optimizer.zero_grad()
        step += 1
