# A while loop, a micro-batch counter reset after the step, AMP, and a helper that steps.
import torch

criterion = torch.nn.CrossEntropyLoss()
scaler = torch.amp.GradScaler("cuda")


def optimizer_step(optimizer):
    scaler.step(optimizer)
    scaler.update()
    optimizer.zero_grad(set_to_none=True)


def train(model, optimizer, batches, accum=8, max_micro=10_000):
    micro = 0
    n = 0
    while n < max_micro:
        x, y = next(batches)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = criterion(model(x), y)
        scaler.scale(loss).backward()
        micro += 1
        n += 1
        if micro == accum:
            optimizer_step(optimizer)
            micro = 0
