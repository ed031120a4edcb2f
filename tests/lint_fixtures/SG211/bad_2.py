# The same inside an accumulation window.
from torch.cuda.amp import GradScaler, autocast
from transformers import get_linear_schedule_with_warmup


def train(model, loader, criterion, optimizer, accum_steps, total_updates):
    scaler = GradScaler()
    lr_scheduler = get_linear_schedule_with_warmup(optimizer, 500, total_updates)
    for i, (x, y) in enumerate(loader):
        with autocast():
            loss = criterion(model(x), y) / accum_steps
        scaler.scale(loss).backward()
        if (i + 1) % accum_steps == 0:
            scaler.unscale_(optimizer)
            scaler.step(optimizer)
            scaler.update()
            lr_scheduler.step()
            optimizer.zero_grad(set_to_none=True)
