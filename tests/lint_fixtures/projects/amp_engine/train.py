"""The loop: the engine's optimizer wrapper steps, then the warmup schedule."""

import argparse

import torch

from engine.core import initialize


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fp16", action="store_true")
    args = parser.parse_args()
    model = torch.nn.Linear(8, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 0.01, 1.0, total_iters=100)
    model, optimizer = initialize(model, optimizer, fp16=args.fp16)
    for _ in range(1000):
        optimizer.zero_grad()
        loss = model(torch.randn(4, 8)).pow(2).mean()
        optimizer.backward(loss)
        optimizer.step()
        scheduler.step()


if __name__ == "__main__":
    main()
