# accelerate divides in accelerator.backward when it knows the window length (and no_sync skips
# the all-reduce of the other micro-batches), and a sum-reduced loss divided by the window's
# token count is the big-batch loss.
import contextlib

import torch.nn.functional as F
from accelerate import Accelerator


def main(args, model, optimizer, loader):
    accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for step, batch in enumerate(loader):
        last = (step + 1) % args.gradient_accumulation_steps == 0
        with contextlib.nullcontext() if last else accelerator.no_sync(model):
            loss = model(**batch).loss
            accelerator.backward(loss)
        if last:
            optimizer.step()
            optimizer.zero_grad()


def train_tokens(model, optimizer, windows):
    for window in windows:
        n_tokens = sum(int(y.ne(-100).sum()) for _, y in window)
        for x, y in window:
            logits = model(x)
            loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum")
            (loss / n_tokens).backward()
        optimizer.step()
        optimizer.zero_grad()
