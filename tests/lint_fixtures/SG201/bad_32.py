# A contrastive loss gathered over all ranks, multiplied by the world size to undo DDP's mean:
# that is not a division by the window length, so the window sums k full losses.
import torch
import torch.distributed as dist


def train(model, loss_fun, loader, optimizer, scaler, accumulate=8, amp=True):
    world_size = dist.get_world_size()
    for step, (images, texts) in enumerate(loader):
        with torch.autocast("cuda", enabled=amp):
            loss = loss_fun(**model(images, texts))
            loss = loss * world_size
        if amp:
            scaler.scale(loss).backward()
        else:
            loss.backward()
        if (step + 1) % accumulate == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
