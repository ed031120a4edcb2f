# The step sits in the `else` of an accumulation test, and each branch backpropagates the mean
# loss (one under no_sync): nothing divides it by the window length.
import torch


def train(ddp_model, loader, optimizer, accum_steps):
    for i, (x, y) in enumerate(loader):
        loss = torch.nn.functional.cross_entropy(ddp_model(x), y)
        accumulating = (i + 1) % accum_steps != 0
        if accumulating:
            with ddp_model.no_sync():
                loss.backward()
        else:
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
