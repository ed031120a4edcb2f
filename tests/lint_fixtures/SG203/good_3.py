# AMP with accumulation: unscale, clip, step once per window; the scheduler only if not skipped.
import torch
from torch.amp import GradScaler, autocast


def train(model, loader, criterion, optimizer, scheduler, accum_steps=4, max_norm=1.0):
    scaler = GradScaler("cuda")
    for i, (x, y) in enumerate(loader):
        with autocast("cuda"):
            loss = criterion(model(x), y) / accum_steps
        scaler.scale(loss).backward()
        if i % accum_steps == accum_steps - 1:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            scale_before = scaler.get_scale()
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            if scaler.get_scale() >= scale_before:
                scheduler.step()
