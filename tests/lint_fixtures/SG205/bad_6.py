# Accelerator(gradient_accumulation_steps=K) with a prepared scheduler: it advances only on
# the steps that sync, so a length of len(loader) * epochs is K times too long.
import torch
from accelerate import Accelerator
from transformers import get_cosine_schedule_with_warmup


def main(model, dataset_loader, epochs, grad_accum=8):
    accelerator = Accelerator(gradient_accumulation_steps=grad_accum)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    scheduler = get_cosine_schedule_with_warmup(optimizer, 100, len(dataset_loader) * epochs)
    model, optimizer, loader, scheduler = accelerator.prepare(
        model, optimizer, dataset_loader, scheduler
    )
    for epoch in range(epochs):
        for batch in loader:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
