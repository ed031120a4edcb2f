# `from torch import nn`, a while loop and a step counter.
from torch import nn


def train(model, batches, optimizer, criterion, accum_steps, total_micro):
    net = nn.parallel.DistributedDataParallel(model)
    micro = 0
    while micro < total_micro:
        x, y = next(batches)
        loss = criterion(net(x), y) / accum_steps
        loss.backward()
        micro += 1
        if micro % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
