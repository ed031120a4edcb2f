import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.cuda.amp.grad_scaler import GradScaler
from torch.optim.lr_scheduler import ReduceLROnPlateau


def train_one_epoch(model, config, optimizer, device, use_amp, scaler, gradient_accumulation_steps,
                    train_loader, multi_loss):
    model.train()
    for i, (batch, mixes) in enumerate(train_loader):
        x, y = mixes.to(device), batch.to(device)
        with torch.cuda.amp.autocast(enabled=use_amp):
            loss = multi_loss(model(x), y, x)
        loss /= gradient_accumulation_steps
        scaler.scale(loss).backward()
        if config.training.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), config.training.grad_clip)
        if (i + 1) % gradient_accumulation_steps == 0 or (i == len(train_loader) - 1):
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)


def train_model_single(rank, world_size, args, model, config, train_loader):
    use_amp = getattr(config.training, "use_amp", True)
    device = torch.device(f"cuda:{rank}")
    model.to(device)
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank])
    optimizer = get_optimizer(config, model)
    gradient_accumulation_steps = int(getattr(config.training, "gradient_accumulation_steps", 1))
    scaler = GradScaler()
    scheduler = ReduceLROnPlateau(optimizer, "max", patience=config.training.patience,
                                  factor=config.training.reduce_factor)
    for epoch in range(config.training.num_epochs):
        train_loader.sampler.set_epoch(epoch)
        train_one_epoch(model, config, optimizer, device, use_amp, scaler, gradient_accumulation_steps,
                        train_loader, choice_loss(args, config))
        metric_avg = valid_multi_gpu(model, args, config)
        if rank == 0:
            scheduler.step(metric_avg)


def train_model(args=None):
    world_size = torch.cuda.device_count()
    mp.spawn(train_model_single, args=(world_size, args), nprocs=world_size, join=True)
