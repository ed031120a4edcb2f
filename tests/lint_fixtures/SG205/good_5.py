# A prepared scheduler with the length counted in optimizer steps.
import math

import torch
from accelerate import Accelerator
from transformers import get_linear_schedule_with_warmup


def main(model, train_loader, epochs, grad_accum=8):
    accelerator = Accelerator(gradient_accumulation_steps=grad_accum)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
    updates_per_epoch = math.ceil(len(train_loader) / grad_accum)
    scheduler = get_linear_schedule_with_warmup(optimizer, 100, updates_per_epoch * epochs)
    model, optimizer, train_loader, scheduler = accelerator.prepare(
        model, optimizer, train_loader, scheduler
    )
    for epoch in range(epochs):
        for batch in train_loader:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
