# The older accelerate keyword `Accelerator(fp16=...)`: under --fp16 the prepared optimizer's step
# goes through a GradScaler and is skipped on inf/NaN, but the scheduler was never prepared and
# advances anyway.
import argparse

import torch
from accelerate import Accelerator
from transformers import get_linear_schedule_with_warmup


def main(args, model, loader):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    scheduler = get_linear_schedule_with_warmup(optimizer, 100, len(loader) * args.epochs)
    accelerator = Accelerator(fp16=args.fp16)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for _ in range(args.epochs):
        for batch in loader:
            accelerator.backward(model(**batch).loss)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--fp16", action="store_true")
    main(parser.parse_args(), None, None)
