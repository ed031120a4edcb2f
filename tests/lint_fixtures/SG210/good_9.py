# accelerate: the prepared optimizer's zero_grad() before the accumulate() block reads the
# previous micro-batch's sync_gradients, so it really zeroes only at the start of a window.
import torch
from accelerate import Accelerator


def outside_the_block(model, loader, grad_accum=4):
    accelerator = Accelerator(gradient_accumulation_steps=grad_accum)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for batch in loader:
        optimizer.zero_grad()
        with accelerator.accumulate(model):
            loss = model(batch)
            accelerator.backward(loss)
            optimizer.step()
