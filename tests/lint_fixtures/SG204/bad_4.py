# The AMP branch clips scaled gradients; the clip of the fp32 branch is fine (no scaler there).
import torch


def train_step(model, batch, optimizer, scaler, use_amp, max_norm=1.0):
    loss = model(**batch).loss
    if use_amp:
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
    optimizer.zero_grad()
