# accelerate: the prepared optimizer zeroes at the top of the accumulate() block, before the
# backward. On the window's last micro-batch accumulate() has already set sync_gradients, so this
# zero_grad really clears the gradients the other micro-batches accumulated.
import torch
from accelerate import Accelerator


def train(model, loader, grad_accum=4):
    accelerator = Accelerator(gradient_accumulation_steps=grad_accum)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.ConstantLR(optimizer)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    for batch in loader:
        with accelerator.accumulate(model):
            optimizer.zero_grad()
            loss = model(batch)
            accelerator.backward(loss)
            optimizer.step()
            scheduler.step()
