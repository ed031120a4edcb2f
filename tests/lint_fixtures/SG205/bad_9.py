# The same warm-up advanced inside the window's guard: once per optimizer step, while its
# length counts micro-batches.
import torch
from torch.optim.lr_scheduler import LinearLR


def train(model, loader, criterion, accum_steps=4):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    warmup_batches = len(loader) * 2
    warmup = LinearLR(optimizer, start_factor=0.01, total_iters=warmup_batches)
    for i, (x, y) in enumerate(loader):
        (criterion(model(x), y) / accum_steps).backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
            if i < warmup_batches:
                warmup.step()
