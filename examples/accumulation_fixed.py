"""Seed 003's accumulation experiment, fixed with `stepguard.Accumulator` (CPU, well under a minute).

The seed accumulates 8 micro-batches of 64 per update and gets three things wrong (loss not
divided by k, scheduler and clipping per micro-batch). Here the Accumulator owns all three: the
loss is scaled by the window's real size, the gradient is clipped once per window, and the
warmup+cosine schedule is sized in optimizer steps and stepped once per optimizer step.

    .venv/bin/python examples/accumulation_fixed.py [--epochs 19] [--accum 8]
"""

from __future__ import annotations

import argparse
import math

import torch
import torch.nn.functional as F
from torch import nn

from stepguard import Accumulator, optimizer_steps, param_groups


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
    ap.add_argument("--epochs", type=int, default=19)  # 19 x 16 = 304 updates, like the seed's 300
    args = ap.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 2))
    optimizer = torch.optim.AdamW(param_groups(model, weight_decay=1e-2), lr=3e-3)
    loader = make_loader()
    total = optimizer_steps(len(loader), args.accum, args.epochs)  # SG205: optimizer steps
    scheduler = build_cosine(optimizer, total)
    acc = Accumulator(model, optimizer, steps=args.accum, scheduler=scheduler, clip_grad_norm=1.0)

    clipped = 0
    for _ in range(args.epochs):
        for x, y in acc.iterate(loader):
            if acc.backward(F.cross_entropy(model(x), y)):  # True when an optimizer step ran
                clipped += acc.clipped
                if acc.optimizer_steps % 25 == 0:
                    lr = optimizer.param_groups[0]["lr"]
                    print(
                        f"[FIX] upd={acc.optimizer_steps:03d} lr={lr:.5f} "
                        f"gnorm={acc.last_grad_norm:.3f} accum={args.accum}"
                    )

    test = make_loader(n=4096, seed=1)
    with torch.no_grad():
        correct = sum(int((model(x).argmax(1) == y).sum()) for x, y in test)
    print(
        f"updates={acc.optimizer_steps} (planned {total}), scheduler steps={scheduler.last_epoch}, "
        f"micro-batches={acc.micro_steps}, clipped {clipped}/{acc.optimizer_steps} windows"
    )
    print(f"held-out accuracy={correct / (len(test) * 64):.3f}")


if __name__ == "__main__":
    main()
