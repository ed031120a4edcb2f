"""The same helper handed a model accelerate did not prepare (only the optimizer and the loader
went through `prepare`): no DistributedDataParallel wrapper, nothing all-reduces."""

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
    accelerator = Accelerator(mixed_precision="no")
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.0)
    optimizer, loader = accelerator.prepare(optimizer, loader)
    train(args, model, optimizer, accelerator, loader)
