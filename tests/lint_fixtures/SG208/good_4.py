# apex DDP with its all-reduce disabled on all but the window's last micro-batch.
import torch
from apex.parallel import DistributedDataParallel as ApexDDP


def train(model, loader, optimizer, accum_steps=4):
    model = ApexDDP(model, delay_allreduce=True)
    for i, (x, y) in enumerate(loader):
        last = (i + 1) % accum_steps == 0
        if last:
            model.enable_allreduce()
        else:
            model.disable_allreduce()
        loss = torch.nn.functional.cross_entropy(model(x), y) / accum_steps
        loss.backward()
        if last:
            optimizer.step()
            optimizer.zero_grad()
