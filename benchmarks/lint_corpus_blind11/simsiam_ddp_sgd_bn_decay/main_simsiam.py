import argparse
import math

import torch
import torch.nn as nn
import torchvision.models as models

import simsiam.builder
import simsiam.loader

parser = argparse.ArgumentParser(description="PyTorch ImageNet Training")
parser.add_argument("data")
parser.add_argument("-a", "--arch", default="resnet50")
parser.add_argument("--epochs", default=100, type=int)
parser.add_argument("-b", "--batch-size", default=512, type=int)
parser.add_argument("--lr", "--learning-rate", default=0.05, type=float, dest="lr")
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--wd", "--weight-decay", default=1e-4, type=float, dest="weight_decay")
parser.add_argument("--gpu", default=None, type=int)
parser.add_argument("--dim", default=2048, type=int)
parser.add_argument("--pred-dim", default=512, type=int)
parser.add_argument("--fix-pred-lr", action="store_true")


def main_worker(gpu, args, train_loader):
    model = simsiam.builder.SimSiam(models.__dict__[args.arch], args.dim, args.pred_dim)
    model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    torch.cuda.set_device(gpu)
    model.cuda(gpu)
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[gpu])
    criterion = nn.CosineSimilarity(dim=1).cuda(gpu)

    if args.fix_pred_lr:
        optim_params = [
            {"params": model.module.encoder.parameters(), "fix_lr": False},
            {"params": model.module.predictor.parameters(), "fix_lr": True},
        ]
    else:
        optim_params = model.parameters()
    optimizer = torch.optim.SGD(optim_params, args.lr, momentum=args.momentum, weight_decay=args.weight_decay)

    for epoch in range(args.epochs):
        adjust_learning_rate(optimizer, epoch, args)
        train(train_loader, model, criterion, optimizer, gpu)


def train(train_loader, model, criterion, optimizer, gpu):
    model.train()
    for images, _ in train_loader:
        x1 = images[0].cuda(gpu, non_blocking=True)
        x2 = images[1].cuda(gpu, non_blocking=True)
        p1, p2, z1, z2 = model(x1=x1, x2=x2)
        loss = -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def adjust_learning_rate(optimizer, epoch, args):
    lr = args.lr * 0.5 * (1.0 + math.cos(math.pi * epoch / args.epochs))
    for group in optimizer.param_groups:
        group["lr"] = args.lr if group.get("fix_lr") else lr
