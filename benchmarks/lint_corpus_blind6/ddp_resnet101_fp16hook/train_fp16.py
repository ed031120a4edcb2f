import argparse

import torch
import torch.distributed as dist
from torch import nn, optim
from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import fp16_compress_hook
from torch.optim.lr_scheduler import MultiStepLR
from torchvision import models


def train(model, device, train_loader, criterion, optimizer):
    model.train()
    for data, label in train_loader:
        data, label = data.to(device), label.to(device)
        optimizer.zero_grad()
        loss = criterion(model(data), label)
        loss.backward()
        optimizer.step()


def main(args):
    rank, world_size = args.local_rank, args.world_size
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    device = torch.device(f"cuda:{rank}")
    model = models.resnet101(weights=None)
    model.fc = nn.Linear(model.fc.in_features, 10)
    model = model.to(device)
    ddp_model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank])
    ddp_model.register_comm_hook(state=None, hook=fp16_compress_hook)
    train_loader = args.make_loader(rank, world_size)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.0001)
    scheduler = MultiStepLR(optimizer, milestones=[110, 150, 190, 250], gamma=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(1, args.epoch + 1):
        train(ddp_model, device, train_loader, criterion, optimizer)
        scheduler.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--world-size", type=int, default=2)
    parser.add_argument("--local-rank", type=int, default=0)
    parser.add_argument("--bsz", type=int, default=32)
    parser.add_argument("--epoch", type=int, default=300)
    main(parser.parse_args())
