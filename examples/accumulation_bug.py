"""Seed 003's accumulation experiment as the seed wrote it: three bugs (CPU, seconds).

Gradients of 8 micro-batches of 64 are accumulated per update, but (SG201) the loss is not divided
by k, (SG203) gradients are clipped after every micro-batch and (SG202) the scheduler steps after
every micro-batch, so the warmup+cosine schedule meant for 300 updates is used up after ~37.
Compare with examples/accumulation_fixed.py; `stepguard lint examples/accumulation_bug.py` finds
all three.

    .venv/bin/python examples/accumulation_bug.py [--updates 300] [--accum 8]
"""

from __future__ import annotations

import argparse
import math

import torch
import torch.nn.functional as F
from torch import nn


def make_loader(n: int = 8192, bs: int = 64, seed: int = 0) -> torch.utils.data.DataLoader:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 20, generator=g)
    y = (x[:, 0] + 0.6 * x[:, 1] - 0.3 * x[:, 2] > 0).long()
    ds = torch.utils.data.TensorDataset(x, y)
    return torch.utils.data.DataLoader(ds, batch_size=bs, shuffle=True, drop_last=True, generator=g)


def build_cosine(optimizer: torch.optim.Optimizer, total_steps: int, warmup: int = 50):  # type: ignore[no-untyped-def]
    def lr_lambda(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        t = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accum", type=int, default=8)
    ap.add_argument("--updates", type=int, default=300)
    args = ap.parse_args()
    torch.set_num_threads(1)  # a model this small gains nothing from more threads

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = build_cosine(optimizer, args.updates)
    loader = make_loader()
    it = iter(loader)

    clipped = calls = 0
    optimizer.zero_grad(set_to_none=True)
    for update in range(1, args.updates + 1):
        for _ in range(args.accum):
            try:
                x, y = next(it)
            except StopIteration:
                it = iter(loader)
                x, y = next(it)
            loss = F.cross_entropy(model(x), y)
            loss.backward()  # BUG (SG201): not divided by accum
            norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # BUG (SG203): per micro-batch
            scheduler.step()  # BUG (SG202): per micro-batch
            calls += 1
            clipped += int(norm > 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if update % 25 == 0:
            lr = optimizer.param_groups[0]["lr"]
            print(f"[BUG] upd={update:03d} lr={lr:.5f} gnorm={float(norm):.3f} accum={args.accum}")

    test = make_loader(n=4096, seed=1)
    with torch.no_grad():
        correct = sum(int((model(x).argmax(1) == y).sum()) for x, y in test)
    print(
        f"updates={args.updates}, scheduler steps={scheduler.last_epoch}, "
        f"clipped {clipped}/{calls} clipping calls"
    )
    print(f"held-out accuracy={correct / (len(test) * 64):.3f}")


if __name__ == "__main__":
    main()
