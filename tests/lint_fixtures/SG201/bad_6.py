# accelerate's backward inside a hand-written window: the Accelerator was not told about the
# accumulation, so accelerator.backward does not divide; the loss goes through an intermediate
# sum of per-head mean losses.
import torch
from accelerate import Accelerator


def main(args, model, optimizer, loader, criterion):
    accelerator = Accelerator(mixed_precision="bf16")
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for step, batch in enumerate(loader):
        outputs = model(batch["x"])
        losses = [criterion(out, batch["y"]) for out in outputs]
        loss = torch.stack(losses).sum()
        accelerator.backward(loss)
        if (step + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
