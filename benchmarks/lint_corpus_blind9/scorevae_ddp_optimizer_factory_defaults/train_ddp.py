import torch
import torch.nn as nn

from utils.optim_utils import get_optimizer_and_scheduler
from utils.train_utils import EMA, prepare_batch


def train_one_epoch_ddp(model, ema_model, train_loader, train_sampler, optimizer, scheduler, loss_fn, device, grad_clip, epoch):
    model.train()
    train_loss = 0
    train_sampler.set_epoch(epoch)
    for data in train_loader:
        batch = prepare_batch(data, device)
        optimizer.zero_grad()
        loss = loss_fn(model, batch, train=True)
        loss.backward()
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        ema_model.update()
        scheduler.step()
        train_loss += loss.item()
    return train_loss / len(train_loader)


def train_ddp(rank, world_size, config, model, train_loader, train_sampler, loss_fn):
    device = torch.device(f"cuda:{rank}")
    model = model.to(device)
    model = nn.parallel.DistributedDataParallel(model, device_ids=[rank], find_unused_parameters=False)
    ema_model = EMA(model=model, decay=config.model.ema_decay)
    optimizer, scheduler = get_optimizer_and_scheduler(model, config)
    for epoch in range(config.training.epochs):
        train_one_epoch_ddp(model, ema_model, train_loader, train_sampler, optimizer, scheduler, loss_fn, device, config.optim.grad_clip, epoch)
