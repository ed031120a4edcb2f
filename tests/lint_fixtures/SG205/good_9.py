# The same closure over a length counted in optimizer steps: the loop's iterations divided by
# the window length.
import math

import torch


def train_epoch(model, get_batch, steps_per_epoch, optimizer, scheduler, accum=4):
    for step in range(steps_per_epoch):
        x, y = get_batch(step)
        (torch.nn.functional.cross_entropy(model(x), y) / accum).backward()
        if (step + 1) % accum == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()


def main(model, get_batch, steps_per_epoch, epochs=3, accum=4):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    total_steps = steps_per_epoch // accum * epochs
    warmup_steps = int(total_steps * 0.05)

    def lr_lambda(step):
        if step < warmup_steps:
            return step / max(1, warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    for _ in range(epochs):
        train_epoch(model, get_batch, steps_per_epoch, optimizer, scheduler, accum)
