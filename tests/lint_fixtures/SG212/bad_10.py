"""`accelerator.accumulate(model)` entered after the forward: the no_sync it applies on the
non-final micro-batches covers the backward only, and the DDP forward already prepared the
all-reduce, so every micro-batch syncs."""

import torch
from accelerate import Accelerator


def train(model, loader, args):
    accelerator = Accelerator(gradient_accumulation_steps=args.accum)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for x, y in loader:
        pred = model(x)
        loss = torch.nn.functional.mse_loss(pred, y)
        with accelerator.accumulate(model):
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--accum", type=int, default=4)
    train(None, [], p.parse_args())
