import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim.lr_scheduler import MultiStepLR

import models
import utils


def prepare_training(config):
    model = models.make(config["model"])
    optimizer = utils.make_optimizer(model, config["optimizer"])
    epoch_start = config["epoch_start"]
    if config.get("multi_step_lr") is None:
        lr_scheduler = None
    else:
        lr_scheduler = MultiStepLR(optimizer, **config["multi_step_lr"])
    return model, optimizer, epoch_start, lr_scheduler


def train(train_loader, model, optimizer, scheduler, epoch=0):
    rank = int(os.environ["LOCAL_RANK"])
    model.train()
    loss_fn = nn.L1Loss()
    for i, batch in enumerate(train_loader):
        for k, v in batch.items():
            batch[k] = v[0].to(rank)
        gt = batch["gt"]
        pred = model(batch["inp"], batch["coord"], batch["cell"])
        pred = pred + batch["hr_res"]
        loss = loss_fn(pred, gt)
        optimizer.zero_grad()
        loss.backward()
        lr = scheduler.get_last_lr()[0]
        optimizer.step()


def main(config, train_loader):
    rank = int(os.environ["LOCAL_RANK"])
    world_size = int(os.environ["WORLD_SIZE"])
    dist.init_process_group(backend="nccl", init_method="env://", world_size=world_size, rank=rank)
    torch.cuda.set_device(rank)
    model, optimizer, epoch_start, lr_scheduler = prepare_training(config)
    model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model = DDP(model.to(rank), device_ids=[torch.cuda.current_device()])
    for epoch in range(epoch_start, config["epoch"] + 1):
        train(train_loader, model, optimizer, lr_scheduler, epoch)
        if lr_scheduler is not None:
            lr_scheduler.step()
