# The scaler steps inside a helper of the same file; the caller advances the schedule regardless.
from torch.amp import GradScaler


def optimizer_step(scaler, optimizer):
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    optimizer.zero_grad(set_to_none=True)


def train(model, loader, criterion, optimizer, scheduler):
    scaler = GradScaler("cuda")
    for x, y in loader:
        scaler.scale(criterion(model(x), y)).backward()
        optimizer_step(scaler, optimizer)
        scheduler.step()
