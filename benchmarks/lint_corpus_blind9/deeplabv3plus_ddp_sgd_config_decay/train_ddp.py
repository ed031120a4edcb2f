import argparse
import json

import torch
import torch.nn as nn
from torch.distributed import Backend
from torch.nn.parallel.distributed import DistributedDataParallel

import models
import utils.lr_scheduler
from utils import losses


def get_instance(module, name, config, *args):
    return getattr(module, config[name]["type"])(*args, **config[name]["args"])


def main(config, rank, train_loader):
    model = get_instance(models, "arch", config, train_loader.dataset.num_classes)
    device = torch.device(f"cuda:{rank}")
    model = model.to(device)
    model = DistributedDataParallel(model, device_ids=[rank], output_device=rank)
    if config["optimizer"]["differential_lr"]:
        trainable_params = [{"params": filter(lambda p: p.requires_grad, model.module.get_decoder_params())},
                            {"params": filter(lambda p: p.requires_grad, model.module.get_backbone_params()),
                             "lr": config["optimizer"]["args"]["lr"] / 10}]
    else:
        trainable_params = filter(lambda p: p.requires_grad, model.parameters())
    optimizer = get_instance(torch.optim, "optimizer", config, trainable_params)
    start_epoch, end_epoch = 0, config["trainer"]["epochs"]
    loss_fn = getattr(losses, config["loss"])(ignore_index=config["ignore_index"])
    lr_scheduler = getattr(utils.lr_scheduler, config["lr_scheduler"]["type"])(optimizer, end_epoch, len(train_loader))
    for epoch in range(start_epoch, end_epoch + 1):
        model.train()
        train_loader.sampler.set_epoch(epoch)
        for batch_idx, (data, target) in enumerate(train_loader):
            data = data.to(device, non_blocking=True)
            target = target.to(device, non_blocking=True)
            lr_scheduler.step(epoch=epoch - 1)
            optimizer.zero_grad()
            output = model(data)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="PyTorch Training")
    parser.add_argument("--local_rank", type=int)
    parser.add_argument("-c", "--config", default="config.json", type=str)
    args = parser.parse_args()
    config = json.load(open(args.config))
    rank = args.local_rank
    torch.cuda.set_device(rank)
    torch.distributed.init_process_group(backend=Backend.NCCL, init_method="env://")
    main(config=config, rank=rank, train_loader=None)
