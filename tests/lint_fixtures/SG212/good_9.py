"""The forward before `accelerator.accumulate(model)`, but the Accelerator is built without
gradient_accumulation_steps: k is 1, every step syncs, accumulate() never enters no_sync."""

import torch
from accelerate import Accelerator


def train(model, loader):
    accelerator = Accelerator(mixed_precision="no")
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for x, y in loader:
        pred = model(x)
        loss = torch.nn.functional.mse_loss(pred, y)
        with accelerator.accumulate(model):
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
