# The scaler is optional (`if scaler is not None:` is a test of the object, not of the step),
# and a per-iteration warmup scheduler steps after the if/else, also after a skipped step.
import torch


def train_one_epoch(model, optimizer, loader, epoch, scaler=None):
    warmup = None
    if epoch == 0:
        warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.001, total_iters=500)
    for images, targets in loader:
        with torch.autocast("cuda", enabled=scaler is not None):
            losses = sum(model(images, targets).values())
        optimizer.zero_grad()
        if scaler is not None:
            scaler.scale(losses).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            losses.backward()
            optimizer.step()
        if warmup is not None:
            warmup.step()
