# Hugging Face Trainer's check, written with a flag.
import torch


def step(model, optimizer, lr_scheduler, scaler: torch.amp.GradScaler):
    scale_before = scaler.get_scale()
    scaler.step(optimizer)
    scaler.update()
    optimizer_was_run = scale_before <= scaler.get_scale()
    if optimizer_was_run:
        lr_scheduler.step()
    optimizer.zero_grad()
