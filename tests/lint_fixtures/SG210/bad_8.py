# The same guard written so the zero_grad is reached by every micro-batch: the `if` only logs,
# then the prepared optimizer zeroes before the backward on the window's last micro-batch.
import torch
from accelerate import Accelerator


def train(model, loader, accum_steps=8):
    accelerator = Accelerator(gradient_accumulation_steps=accum_steps)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for batch in loader:
        with accelerator.accumulate(model):
            loss = model(batch)
            if not torch.isfinite(loss):
                print("non-finite loss")
            optimizer.zero_grad()
            accelerator.backward(loss)
            optimizer.step()
