# The unscaled gradient norm is checked finite before `scaler.step`: on that branch the scaler
# cannot skip the step, so the batch scheduler after it stays in line with the optimizer.
import torch


def train_step(model, batch, optimizer, scheduler, scaler, max_norm=1.0):
    loss = model(**batch).loss
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    if not torch.isfinite(grad_norm):
        scaler.update()
    else:
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
    optimizer.zero_grad()
