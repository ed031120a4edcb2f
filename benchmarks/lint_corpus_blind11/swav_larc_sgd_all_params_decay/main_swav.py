import argparse
import math

import apex
import numpy as np
import torch
import torch.nn as nn
from apex.parallel.LARC import LARC

import src.resnet50 as resnet_models

parser = argparse.ArgumentParser(description="Implementation of SwAV")
parser.add_argument("--crops_for_assign", type=int, nargs="+", default=[0, 1])
parser.add_argument("--nmb_crops", type=int, default=[2], nargs="+")
parser.add_argument("--temperature", default=0.1, type=float)
parser.add_argument("--epsilon", default=0.05, type=float)
parser.add_argument("--feat_dim", default=128, type=int)
parser.add_argument("--nmb_prototypes", default=3000, type=int)
parser.add_argument("--epochs", default=100, type=int)
parser.add_argument("--base_lr", default=4.8, type=float)
parser.add_argument("--final_lr", type=float, default=0)
parser.add_argument("--freeze_prototypes_niters", default=313, type=int)
parser.add_argument("--wd", default=1e-6, type=float, help="weight decay")
parser.add_argument("--warmup_epochs", default=10, type=int)
parser.add_argument("--start_warmup", default=0, type=float)
parser.add_argument("--arch", default="resnet50", type=str)
parser.add_argument("--use_fp16", type=bool, default=True)
parser.add_argument("--gpu_to_work_on", default=0, type=int)


def main(train_loader):
    args = parser.parse_args()
    model = resnet_models.__dict__[args.arch](normalize=True, hidden_mlp=2048, output_dim=args.feat_dim, nmb_prototypes=args.nmb_prototypes)
    model = nn.SyncBatchNorm.convert_sync_batchnorm(model).cuda()

    optimizer = torch.optim.SGD(model.parameters(), lr=args.base_lr, momentum=0.9, weight_decay=args.wd)
    optimizer = LARC(optimizer=optimizer, trust_coefficient=0.001, clip=False)
    warmup = np.linspace(args.start_warmup, args.base_lr, len(train_loader) * args.warmup_epochs)
    iters = np.arange(len(train_loader) * (args.epochs - args.warmup_epochs))
    cosine = np.array([args.final_lr + 0.5 * (args.base_lr - args.final_lr) * (1 + math.cos(math.pi * t / len(iters))) for t in iters])
    lr_schedule = np.concatenate((warmup, cosine))

    if args.use_fp16:
        model, optimizer = apex.amp.initialize(model, optimizer, opt_level="O1")
    model = nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu_to_work_on], find_unused_parameters=True)

    for epoch in range(args.epochs):
        train_loader.sampler.set_epoch(epoch)
        train(train_loader, model, optimizer, epoch, lr_schedule, args)


def train(train_loader, model, optimizer, epoch, lr_schedule, args):
    model.train()
    for it, inputs in enumerate(train_loader):
        iteration = epoch * len(train_loader) + it
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr_schedule[iteration]
        with torch.no_grad():
            w = nn.functional.normalize(model.module.prototypes.weight.data.clone(), dim=1, p=2)
            model.module.prototypes.weight.copy_(w)

        embedding, output = model(inputs)
        loss = swav_loss(output, inputs[0].size(0), args)

        optimizer.zero_grad()
        if args.use_fp16:
            with apex.amp.scale_loss(loss, optimizer) as scaled_loss:
                scaled_loss.backward()
        else:
            loss.backward()
        if iteration < args.freeze_prototypes_niters:
            for name, p in model.named_parameters():
                if "prototypes" in name:
                    p.grad = None
        optimizer.step()


def swav_loss(output, bs, args):
    raise NotImplementedError
