# The catalog's fix: no_sync() on all but the window's last micro-batch.
import contextlib

from torch.nn.parallel import DistributedDataParallel as DDP


def train(model, rank, loader, criterion, optimizer, accum_steps=8):
    ddp_model = DDP(model, device_ids=[rank])
    for i, (x, y) in enumerate(loader):
        last = (i + 1) % accum_steps == 0
        with contextlib.nullcontext() if last else ddp_model.no_sync():
            (criterion(ddp_model(x), y) / accum_steps).backward()
        if last:
            optimizer.step()
            optimizer.zero_grad()
