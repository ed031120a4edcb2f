# The no-sync context chosen as a method and entered before the forward.
from contextlib import nullcontext

import torch.nn.functional as F


def train(model, loader, optimizer, accum_steps=4):
    for step, (x, y) in enumerate(loader):
        last = (step + 1) % accum_steps == 0
        sync_context = nullcontext if last else model.no_sync
        with sync_context():
            loss = F.cross_entropy(model(x), y) / accum_steps
            loss.backward()
        if last:
            optimizer.step()
            optimizer.zero_grad()
