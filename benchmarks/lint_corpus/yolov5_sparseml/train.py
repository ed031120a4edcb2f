import argparse

import torch
import torch.nn as nn
from torch.cuda import amp
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import SGD, Adam, AdamW, lr_scheduler


def train(hyp, opt, device):
    batch_size = opt.batch_size
    nbs = batch_size * opt.gradient_accum_steps
    accumulate = opt.gradient_accum_steps
    hyp["weight_decay"] *= batch_size * accumulate / nbs
    model = build_model(opt).to(device)

    g0, g1, g2 = [], [], []
    for v in model.modules():
        if hasattr(v, "bias") and isinstance(v.bias, nn.Parameter):
            g2.append(v.bias)
        if isinstance(v, nn.BatchNorm2d):
            g0.append(v.weight)
        elif hasattr(v, "weight") and isinstance(v.weight, nn.Parameter):
            g1.append(v.weight)
    if opt.optimizer == "Adam":
        optimizer = Adam(g0, lr=hyp["lr0"], betas=(hyp["momentum"], 0.999))
    elif opt.optimizer == "AdamW":
        optimizer = AdamW(g0, lr=hyp["lr0"], betas=(hyp["momentum"], 0.999))
    else:
        optimizer = SGD(g0, lr=hyp["lr0"], momentum=hyp["momentum"], nesterov=True)
    optimizer.add_param_group({"params": g1, "weight_decay": hyp["weight_decay"]})
    optimizer.add_param_group({"params": g2})

    lf = lambda x: (1 - x / opt.epochs) * (1.0 - hyp["lrf"]) + hyp["lrf"]
    scheduler = lr_scheduler.LambdaLR(optimizer, lr_lambda=lf)
    if opt.local_rank != -1:
        model = DDP(model, device_ids=[opt.local_rank], output_device=opt.local_rank)
    train_loader = build_loader(opt)
    nb = len(train_loader)
    scaler = amp.GradScaler(enabled=True)
    compute_loss = build_loss(model)
    last_opt_step = -1
    for epoch in range(opt.epochs):
        model.train()
        optimizer.zero_grad()
        for i, (imgs, targets, paths, _) in enumerate(train_loader):
            ni = i + nb * epoch
            with amp.autocast():
                pred = model(imgs.to(device))
                loss, loss_items = compute_loss(pred, targets.to(device))  # loss scaled by batch_size
            scaler.scale(loss).backward()
            if ni - last_opt_step >= accumulate:
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
                last_opt_step = ni
        scheduler.step()


def parse_opt():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--optimizer", type=str, choices=["SGD", "Adam", "AdamW"], default="SGD")
    parser.add_argument("--gradient-accum-steps", type=int, default=1)
    parser.add_argument("--local_rank", type=int, default=-1)
    return parser.parse_args()


def build_model(opt):
    raise NotImplementedError


def build_loader(opt):
    raise NotImplementedError


def build_loss(model):
    raise NotImplementedError
