import torch

from utils import apply_lr


def train_one_epoch(model, criterion, data_loader, optimizer, device, scaler, epoch, *, accum_steps=1, max_norm=None, lr_schedule=None, start_step=0):
    model.train()
    autocast_enabled = device.type == "cuda"
    global_step = start_step
    optimizer.zero_grad(set_to_none=True)
    for step, batch in enumerate(data_loader):
        if lr_schedule and step % accum_steps == 0:
            apply_lr(optimizer, lr_schedule[global_step])
        samples, targets = batch[0], batch[1]
        samples = samples.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)
        with torch.autocast(device_type=device.type, enabled=autocast_enabled):
            outputs = model(samples)
            loss = criterion(outputs, targets)
        scaler.scale(loss).backward()
        if (step + 1) % accum_steps == 0:
            if max_norm is not None:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
        global_step += 1
