import torch
import torch.nn as nn
from torch.cuda.amp.grad_scaler import GradScaler
from torch.optim.lr_scheduler import ReduceLROnPlateau


def train_one_epoch(model, config, optimizer, device, use_amp, scaler, gradient_accumulation_steps,
                    train_loader, multi_loss):
    model.train().to(device)
    for i, (batch, mixes) in enumerate(train_loader):
        x, y = mixes.to(device), batch.to(device)
        with torch.cuda.amp.autocast(enabled=use_amp):
            loss = multi_loss(model(x), y)
        loss /= gradient_accumulation_steps
        scaler.scale(loss).backward()
        if config.training.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), config.training.grad_clip)
        if ((i + 1) % gradient_accumulation_steps == 0) or (i == len(train_loader) - 1):
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)


def train_model(args, model, config, train_loader, device):
    use_amp = getattr(config.training, "use_amp", True)
    optimizer = get_optimizer(config, model)
    gradient_accumulation_steps = int(getattr(config.training, "gradient_accumulation_steps", 1))
    scheduler = ReduceLROnPlateau(optimizer, "max", patience=config.training.patience,
                                  factor=config.training.reduce_factor)
    scaler = GradScaler()
    for epoch in range(config.training.num_epochs):
        train_one_epoch(model, config, optimizer, device, use_amp, scaler, gradient_accumulation_steps,
                        train_loader, choice_loss(args, config))
        metric_avg = validate(model, args, config)
        scheduler.step(metric_avg)
