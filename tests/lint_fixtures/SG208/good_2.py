# The sync flag set before the forward (what no_sync() does).
import torch


def train(model, loader, criterion, optimizer, accum_steps=8):
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    for i, (x, y) in enumerate(loader):
        ddp.require_backward_grad_sync = (i + 1) % accum_steps == 0
        loss = criterion(ddp(x), y) / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
