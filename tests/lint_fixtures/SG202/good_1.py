# The catalog's fix: the scheduler steps with the optimizer.
import math

import torch
from transformers import get_linear_schedule_with_warmup


def train(model, loader, criterion, accum_steps=8, epochs=3):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
    total = math.ceil(len(loader) / accum_steps) * epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, 100, num_training_steps=total)
    for epoch in range(epochs):
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()
