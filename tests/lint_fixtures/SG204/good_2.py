# unscale_ in a helper of the same file, called before the clip.
import torch


def unscale(scaler, optimizer):
    scaler.unscale_(optimizer)


def train(model, loader, criterion, optimizer, scaler):
    for x, y in loader:
        loss = criterion(model(x), y)
        scaler.scale(loss).backward()
        unscale(scaler, optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()
