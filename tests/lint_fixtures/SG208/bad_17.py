"""A hand-written window with `accelerator.backward` in a helper that is handed the model
accelerate prepared: on several processes every backward all-reduces, not only the window's last."""

import torch
from accelerate import Accelerator


def train(args, model, optimizer, accelerator, loader):
    step = 0
    for batch in loader:
        step += 1
        loss = model.forward(**batch).loss / args.accum
        accelerator.backward(loss)
        if step % args.accum == 0:
            optimizer.step()
            optimizer.zero_grad()


def main(args, model, loader):
    accelerator = Accelerator()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    train(args, model, optimizer, accelerator, loader)
