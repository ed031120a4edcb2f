# The same scheduler given the number of optimizer steps the loop makes.
import torch
from schedules import WarmupCosineScheduler


def train_stage(model, data, get_batch, total_iters, grad_accum=4):
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=0.0)
    updates = total_iters // grad_accum
    scheduler = WarmupCosineScheduler(optimizer, updates // 20, updates)
    for it in range(total_iters):
        x, y = get_batch(data)
        (model(x, y) / grad_accum).backward()
        if (it + 1) % grad_accum == 0:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            scheduler.step()
