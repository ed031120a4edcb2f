# Seed 003's fix: clip and step the scheduler once per update, after the inner loop.
import torch
import torch.nn as nn
import torch.nn.functional as F


def run(model, loader, scheduler, accum_steps=8, total_updates=300):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    it = iter(loader)
    for upd in range(1, total_updates + 1):
        for k in range(accum_steps):
            x, y = next(it)
            loss = F.cross_entropy(model(x), y)
            loss = loss / accum_steps  # 修复:分摊到每个 micro-batch
            loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        scheduler.step()  # 只在优化步调用
