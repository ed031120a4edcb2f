import os

import torch.distributed as dist
import torch.nn as nn
import torch.optim as optim
from torch.nn.parallel import DistributedDataParallel as DDP


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)

    def forward(self, x):
        return self.fc(x.view(x.size(0), -1))


def train(rank, world_size, loader, sampler, epochs=5):
    dist.init_process_group(backend="gloo", rank=rank, world_size=world_size)
    ddp_model = DDP(SimpleNet())
    optimizer = optim.SGD(ddp_model.parameters(), lr=0.01 * world_size)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for data, target in loader:
            optimizer.zero_grad()
            loss = criterion(ddp_model(data), target)
            loss.backward()
            optimizer.step()
    dist.destroy_process_group()


if __name__ == "__main__":
    train(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), *make_loader())
