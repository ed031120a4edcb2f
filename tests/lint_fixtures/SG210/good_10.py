# A NaN guard inside accumulate(): the branch drops the window's gradients and skips the
# micro-batch (no backward after the zero_grad on that path); the normal path zeroes after the step.
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
                optimizer.zero_grad()
                continue
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
