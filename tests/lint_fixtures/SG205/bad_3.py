# CosineAnnealingLR through `from torch.optim import lr_scheduler`, and a micro-batch counter.
import torch.optim as optim
from torch.optim import lr_scheduler


def fit(model, dataloader, loss_fn, epochs=10, accum=4):
    optimizer = optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(dataloader))
    pending = 0
    for epoch in range(epochs):
        for x, y in dataloader:
            loss = loss_fn(model(x), y) / accum
            loss.backward()
            pending += 1
            if pending >= accum:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()
                pending = 0
