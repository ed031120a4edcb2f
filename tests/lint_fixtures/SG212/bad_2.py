# AMP, with the context chosen by a conditional expression.
import contextlib

import torch


def train(model, loader, criterion, optimizer, accum=8):
    scaler = torch.amp.GradScaler("cuda")
    for i, (x, y) in enumerate(loader):
        with torch.autocast("cuda"):
            loss = criterion(model(x), y) / accum
        sync = (i + 1) % accum == 0
        with contextlib.nullcontext() if sync else model.no_sync():
            scaler.scale(loss).backward()
        if sync:
            scaler.unscale_(optimizer)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
