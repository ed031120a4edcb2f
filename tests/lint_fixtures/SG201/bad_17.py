# Fabric with several devices: the forward and the backward run under
# `fabric.no_backward_sync(model, enabled=is_accumulating)` (correct for the sync), but the loss
# handed to `fabric.backward` is never divided by the window length.
import torch
import torch.nn.functional as F
from lightning.fabric import Fabric


def train(fabric: Fabric, model, optimizer, loader, accum_iters: int = 8):
    model.train()
    for step, (x, y) in enumerate(loader):
        is_accumulating = (step + 1) % accum_iters != 0
        with fabric.no_backward_sync(model, enabled=is_accumulating):
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            fabric.backward(loss)
        if not is_accumulating:
            fabric.clip_gradients(model, optimizer, max_norm=1.0)
            optimizer.step()
            optimizer.zero_grad()
