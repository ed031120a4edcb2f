# The catalog's example: DDP all-reduces on every micro-batch.
from torch.nn.parallel import DistributedDataParallel as DDP


def train(model, rank, loader, criterion, optimizer, accum_steps=8):
    ddp_model = DDP(model, device_ids=[rank])
    for i, (x, y) in enumerate(loader):
        (criterion(ddp_model(x), y) / accum_steps).backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
