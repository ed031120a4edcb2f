import argparse
import math
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.optim as optim
import yaml
from torch.cuda import amp
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import lr_scheduler

from models.yolo import Model
from utils.loss import ComputeLossOTA


def one_cycle(y1=0.0, y2=1.0, steps=100):
    return lambda x: ((1 - math.cos(x * math.pi / steps)) / 2) * (y2 - y1) + y1


def train(hyp, opt, device, dataloader):
    epochs, batch_size, total_batch_size, rank = opt.epochs, opt.batch_size, opt.total_batch_size, opt.global_rank
    model = Model(opt.cfg, ch=3, nc=80).to(device)

    nbs = 64
    accumulate = max(round(nbs / total_batch_size), 1)
    hyp["weight_decay"] *= total_batch_size * accumulate / nbs

    pg0, pg1, pg2 = [], [], []
    for k, v in model.named_modules():
        if hasattr(v, "bias") and isinstance(v.bias, nn.Parameter):
            pg2.append(v.bias)
        if isinstance(v, nn.BatchNorm2d):
            pg0.append(v.weight)
        elif hasattr(v, "weight") and isinstance(v.weight, nn.Parameter):
            pg1.append(v.weight)

    if opt.adam:
        optimizer = optim.Adam(pg0, lr=hyp["lr0"], betas=(hyp["momentum"], 0.999))
    else:
        optimizer = optim.SGD(pg0, lr=hyp["lr0"], momentum=hyp["momentum"], nesterov=True)
    optimizer.add_param_group({"params": pg1, "weight_decay": hyp["weight_decay"]})
    optimizer.add_param_group({"params": pg2})

    lf = one_cycle(1, hyp["lrf"], epochs)
    scheduler = lr_scheduler.LambdaLR(optimizer, lr_lambda=lf)

    if device.type != "cpu" and rank != -1:
        model = DDP(model, device_ids=[opt.local_rank], output_device=opt.local_rank)

    nb = len(dataloader)
    nw = max(round(hyp["warmup_epochs"] * nb), 1000)
    scaler = amp.GradScaler(enabled=device.type != "cpu")
    compute_loss_ota = ComputeLossOTA(model)
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        for i, (imgs, targets, paths, _) in enumerate(dataloader):
            ni = i + nb * epoch
            imgs = imgs.to(device, non_blocking=True).float() / 255.0
            if ni <= nw:
                xi = [0, nw]
                accumulate = max(1, np.interp(ni, xi, [1, nbs / total_batch_size]).round())
                for j, x in enumerate(optimizer.param_groups):
                    x["lr"] = np.interp(ni, xi, [hyp["warmup_bias_lr"] if j == 2 else 0.0, x["initial_lr"] * lf(epoch)])
            with amp.autocast(enabled=device.type != "cpu"):
                pred = model(imgs)
                loss, loss_items = compute_loss_ota(pred, targets.to(device), imgs)
                if rank != -1:
                    loss *= opt.world_size
            scaler.scale(loss).backward()
            if ni % accumulate == 0:
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
        scheduler.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cfg", type=str, default="")
    parser.add_argument("--hyp", type=str, default="data/hyp.scratch.p5.yaml")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16, help="total batch size for all GPUs")
    parser.add_argument("--adam", action="store_true")
    parser.add_argument("--local_rank", type=int, default=-1)
    opt = parser.parse_args()
    opt.world_size = int(os.environ["WORLD_SIZE"]) if "WORLD_SIZE" in os.environ else 1
    opt.global_rank = int(os.environ["RANK"]) if "RANK" in os.environ else -1
    opt.total_batch_size = opt.batch_size
    device = torch.device("cuda:0")
    if opt.local_rank != -1:
        device = torch.device("cuda", opt.local_rank)
        dist.init_process_group(backend="nccl", init_method="env://")
        opt.batch_size = opt.total_batch_size // opt.world_size
    with open(opt.hyp) as f:
        hyp = yaml.load(f, Loader=yaml.SafeLoader)
    train(hyp, opt, device, [])
