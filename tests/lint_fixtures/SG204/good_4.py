# Separate AMP and fp32 paths: the fp32 clip never sees scaled gradients, and the AMP path
# unscales first.
import torch


def train_step(model, batch, optimizer, scaler, use_amp, max_norm=1.0):
    loss = model(**batch).loss
    if use_amp:
        scaler.scale(loss).backward()
    else:
        loss.backward()
    if not use_amp:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
    else:
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        scaler.step(optimizer)
        scaler.update()
    optimizer.zero_grad()
