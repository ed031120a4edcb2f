# Zeroing at the start of each window (the first micro-batch) is also correct.
import torch.nn.functional as F


def train(model, loader, optimizer, accum=8):
    for step, (x, y) in enumerate(loader):
        if step % accum == 0:
            optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), y) / accum
        loss.backward()
        if (step + 1) % accum == 0:
            optimizer.step()
