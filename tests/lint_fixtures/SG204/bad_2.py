# Clipping once per window is right, but the gradients are still scaled.
from torch import nn
from torch.amp import GradScaler


def train(model, loader, criterion, optimizer, accum_steps=8, max_norm=1.0):
    scaler = GradScaler()
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y) / accum_steps
        scaler.scale(loss).backward()
        if (i + 1) % accum_steps == 0:
            nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
