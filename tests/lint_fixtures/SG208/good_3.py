# DDP without accumulation: one all-reduce per optimizer step is what is wanted.
import torch
from torch.nn.parallel import DistributedDataParallel


def train(model, loader, criterion):
    ddp = DistributedDataParallel(model)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
    for x, y in loader:
        loss = criterion(ddp(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
