"""An Accelerator pinned to the CPU builds no GradScaler (accelerate scales only off the CPU), so
`accelerator.backward` leaves the gradients unscaled and a plain clip is right."""

import torch
from accelerate import Accelerator


def train(model, loader):
    accelerator = Accelerator(cpu=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        accelerator.backward(loss)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
