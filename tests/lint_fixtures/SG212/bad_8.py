# The no-sync context chosen as a method (`model.no_sync`, called in the `with`), entered after
# the forward, around the backward only.
from contextlib import nullcontext

import torch.nn.functional as F


def train(model, loader, optimizer, accum_steps=4):
    for step, (x, y) in enumerate(loader):
        last = (step + 1) % accum_steps == 0
        loss = F.cross_entropy(model(x), y) / accum_steps
        sync_context = nullcontext if last else model.no_sync
        with sync_context():
            loss.backward()
        if last:
            optimizer.step()
            optimizer.zero_grad()
