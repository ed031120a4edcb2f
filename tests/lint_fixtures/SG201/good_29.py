# A loss "weight" that is the window's share in disguise (`loss_weight = 1 / accum_steps`): the
# loss is divided by k, nothing to report.
import torch


def train(model, loader, optimizer, accum_steps=4):
    loss_weight = 1.0 / accum_steps
    for i, (x, y) in enumerate(loader):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        (loss_weight * loss).backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
