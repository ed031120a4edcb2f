# A module-level clipping helper called between the scaled backward and the scaler step.
import torch
from torch.nn.utils import clip_grad_norm_


def clip_gradients(model, max_norm):
    if max_norm > 0:
        return clip_grad_norm_(model.parameters(), max_norm)
    return None


def train_one_epoch(model, loader, optimizer, scaler, max_norm=1.0):
    for x, y in loader:
        with torch.autocast("cuda", dtype=torch.float16):
            loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        grad_norm = clip_gradients(model, max_norm)
        scaler.step(optimizer)
        scaler.update()
        print(grad_norm)
