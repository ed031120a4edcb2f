# Fabric in a hand-written window, the loss divided by the window length before
# `fabric.backward`, the forward and the backward under `no_backward_sync`.
import lightning as L
import torch.nn.functional as F


def train(fabric: L.Fabric, model, optimizer, loader, accum_iters=8):
    for step, (x, y) in enumerate(loader):
        is_accumulating = (step + 1) % accum_iters != 0
        with fabric.no_backward_sync(model, enabled=is_accumulating):
            loss = F.cross_entropy(model(x), y)
            fabric.backward(loss / accum_iters)
        if not is_accumulating:
            optimizer.step()
            optimizer.zero_grad()
