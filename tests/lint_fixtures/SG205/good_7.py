# A warm-up sized and stepped in micro-batches: it advances on every micro-batch of its range,
# outside the window's guard, so its length counts what it steps.
import torch
from torch.optim.lr_scheduler import LinearLR


def train(model, loader, criterion, accum_steps=4, warmup_batches=2000):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    warmup = LinearLR(optimizer, start_factor=0.01, total_iters=len(loader) // 10)
    for i, (x, y) in enumerate(loader):
        (criterion(model(x), y) / accum_steps).backward()
        if i < len(loader) // 10:
            warmup.step()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
