# Seed 003's shape: an inner loop over the micro-batches, the step after it.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def build_cosine(optimizer, total_steps, warmup=50):
    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / max(1, warmup)
        t = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def run(model, loader, accum_steps=8, total_updates=300):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    scheduler = build_cosine(optimizer, total_updates)
    it = iter(loader)
    optimizer.zero_grad(set_to_none=True)
    for upd in range(1, total_updates + 1):
        for k in range(accum_steps):
            x, y = next(it)
            loss = F.cross_entropy(model(x), y) / accum_steps
            loss.backward()
            scheduler.step()  # 调度器按 micro-batch 步进
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
