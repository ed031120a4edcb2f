# The catalog's fix: step the scheduler only when the optimizer stepped.
import torch


def train(model, loader, criterion, optimizer, scheduler):
    scaler = torch.amp.GradScaler("cuda")
    for x, y in loader:
        with torch.autocast("cuda"):
            loss = criterion(model(x), y)
        scaler.scale(loss).backward()
        scale_before = scaler.get_scale()
        scaler.step(optimizer)
        scaler.update()
        if scaler.get_scale() >= scale_before:  # the step was not skipped
            scheduler.step()
        optimizer.zero_grad()
