import argparse
import math

import torch
import torchvision
from torch import nn, optim

parser = argparse.ArgumentParser(description="Barlow Twins Training")
parser.add_argument("--epochs", default=1000, type=int)
parser.add_argument("--batch-size", default=2048, type=int)
parser.add_argument("--learning-rate-weights", default=0.2, type=float)
parser.add_argument("--learning-rate-biases", default=0.0048, type=float)
parser.add_argument("--weight-decay", default=1e-6, type=float)
parser.add_argument("--lambd", default=0.0051, type=float)


def exclude_bias_and_norm(p):
    return p.ndim == 1


class LARS(optim.Optimizer):
    def __init__(self, params, lr, weight_decay=0, momentum=0.9, eta=0.001, weight_decay_filter=None, lars_adaptation_filter=None):
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, eta=eta, weight_decay_filter=weight_decay_filter, lars_adaptation_filter=lars_adaptation_filter)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                dp = p.grad
                if dp is None:
                    continue
                if g["weight_decay_filter"] is None or not g["weight_decay_filter"](p):
                    dp = dp.add(p, alpha=g["weight_decay"])
                if g["lars_adaptation_filter"] is None or not g["lars_adaptation_filter"](p):
                    pn, un = torch.norm(p), torch.norm(dp)
                    one = torch.ones_like(pn)
                    dp = dp.mul(torch.where(pn > 0.0, torch.where(un > 0, g["eta"] * pn / un, one), one))
                mu = self.state[p].setdefault("mu", torch.zeros_like(p))
                mu.mul_(g["momentum"]).add_(dp)
                p.add_(mu, alpha=-g["lr"])


class BarlowTwins(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.backbone = torchvision.models.resnet50(zero_init_residual=True)
        self.backbone.fc = nn.Identity()
        self.projector = nn.Sequential(nn.Linear(2048, 8192, bias=False), nn.BatchNorm1d(8192), nn.ReLU(inplace=True), nn.Linear(8192, 8192, bias=False))
        self.bn = nn.BatchNorm1d(8192, affine=False)

    def forward(self, y1, y2):
        c = self.bn(self.projector(self.backbone(y1))).T @ self.bn(self.projector(self.backbone(y2)))
        c.div_(self.args.batch_size)
        torch.distributed.all_reduce(c)
        on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
        off_diag = (c.flatten()[:-1].view(c.shape[0] - 1, c.shape[0] + 1)[:, 1:]).pow_(2).sum()
        return on_diag + self.args.lambd * off_diag


def adjust_learning_rate(args, optimizer, loader, step):
    max_steps = args.epochs * len(loader)
    warmup_steps = 10 * len(loader)
    base_lr = args.batch_size / 256
    if step < warmup_steps:
        lr = base_lr * step / warmup_steps
    else:
        q = 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (max_steps - warmup_steps)))
        lr = base_lr * q + base_lr * 0.001 * (1 - q)
    optimizer.param_groups[0]["lr"] = lr * args.learning_rate_weights
    optimizer.param_groups[1]["lr"] = lr * args.learning_rate_biases


def main_worker(gpu, args, loader):
    model = nn.SyncBatchNorm.convert_sync_batchnorm(BarlowTwins(args).cuda(gpu))
    param_weights = [p for p in model.parameters() if p.ndim != 1]
    param_biases = [p for p in model.parameters() if p.ndim == 1]
    parameters = [{"params": param_weights}, {"params": param_biases}]
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[gpu])
    optimizer = LARS(parameters, lr=0, weight_decay=args.weight_decay, weight_decay_filter=exclude_bias_and_norm, lars_adaptation_filter=exclude_bias_and_norm)

    scaler = torch.cuda.amp.GradScaler()
    for epoch in range(args.epochs):
        for step, ((y1, y2), _) in enumerate(loader, start=epoch * len(loader)):
            adjust_learning_rate(args, optimizer, loader, step)
            optimizer.zero_grad()
            with torch.cuda.amp.autocast():
                loss = model.forward(y1.cuda(gpu), y2.cuda(gpu))
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
