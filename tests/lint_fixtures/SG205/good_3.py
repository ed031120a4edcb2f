# No accumulation: one optimizer step per batch, so len(loader) * epochs is right.
import torch
from transformers import get_linear_schedule_with_warmup


def train(model, loader, criterion, epochs=3):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
    scheduler = get_linear_schedule_with_warmup(optimizer, 100, len(loader) * epochs)
    for epoch in range(epochs):
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
