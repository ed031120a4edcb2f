"""A plain `Accelerator()` that the project's launch script runs in fp16
(`accelerate launch --mixed_precision fp16`): accelerator.backward scales the loss, and torch's clip
sees scaled gradients (SG204)."""
import torch
from accelerate import Accelerator


def run(model, loader, epochs=3):
    accelerator = Accelerator()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for _ in range(epochs):
        for batch in loader:
            loss = model(**batch).loss
            accelerator.backward(loss)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
