# The same loss multiplied by the world size and divided by the window length.
import torch
import torch.distributed as dist


def train(model, loss_fun, loader, optimizer, scaler, accumulate=8, amp=True):
    world_size = dist.get_world_size()
    for step, (images, texts) in enumerate(loader):
        with torch.autocast("cuda", enabled=amp):
            loss = loss_fun(**model(images, texts))
            loss = loss * world_size / accumulate
        if amp:
            scaler.scale(loss).backward()
        else:
            loss.backward()
        if (step + 1) % accumulate == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
