import argparse
import os

import torch
import torch.cuda.amp as amp
from apex import optimizers
from apex.parallel import DistributedDataParallel

from networks import UNet
from utils.data_loader import get_data_loader_distributed
from utils.YParams import YParams


def adjust_LR(optimizer, params, iternum):
    if params.distributed and iternum < 5000:
        lr = params.ngpu * params.lr * (iternum / 5000.0)
    elif iternum < 40000:
        lr = params.ngpu * params.lr
    elif iternum > 80000:
        lr = params.ngpu * params.lr / 4.0
    else:
        lr = params.ngpu * params.lr / 2.0
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr


def train(params, args, world_rank):
    train_data_loader = get_data_loader_distributed(params, world_rank)
    model = UNet.UNet(params).cuda()
    optimizer = optimizers.FusedAdam(model.parameters(), lr=params.lr)
    if params.distributed:
        model = DistributedDataParallel(model)
    gscaler = amp.GradScaler()
    iters = 0
    device = torch.cuda.current_device()
    for epoch in range(params.num_epochs):
        for i, data in enumerate(train_data_loader, 0):
            adjust_LR(optimizer, params, iters)
            inp, tar = map(lambda x: x.to(device), data)
            model.zero_grad()
            with amp.autocast():
                gen = model(inp)
                loss = UNet.loss_func(gen, tar, params)
            gscaler.scale(loss).backward()
            gscaler.step(optimizer)
            gscaler.update()
            iters += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--local_rank", default=0, type=int)
    parser.add_argument("--yaml_config", default="./config/UNet.yaml", type=str)
    parser.add_argument("--config", default="default", type=str)
    args = parser.parse_args()
    params = YParams(os.path.abspath(args.yaml_config), args.config)
    params.distributed = False
    if "WORLD_SIZE" in os.environ:
        params.distributed = int(os.environ["WORLD_SIZE"]) > 1
    train(params, args, 0)
