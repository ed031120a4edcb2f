# The catalog's fix: count optimizer steps.
import math

import torch
from transformers import get_cosine_schedule_with_warmup


def train(model, loader, criterion, accum_steps=8, epochs=3):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
    scheduler = get_cosine_schedule_with_warmup(
        optimizer, 100, num_training_steps=math.ceil(len(loader) / accum_steps) * epochs
    )
    for epoch in range(epochs):
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()
