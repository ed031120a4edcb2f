import argparse
import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.optim as optim
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.utils.data.distributed import DistributedSampler

from tiny_imagenet import TinyImageNetDataset
from vit import ViT


def setup(rank, world_size):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = "12357"
    dist.init_process_group("nccl", rank=rank, world_size=world_size)


def train(args, model, rank, world_size, train_loader, optimizer, epoch, sampler=None):
    model.train()
    criterion = nn.CrossEntropyLoss()
    if sampler:
        sampler.set_epoch(epoch)
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(rank), target.to(rank)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()


def fsdp_main(rank, world_size, args):
    setup(rank, world_size)
    dataset1 = TinyImageNetDataset(root_dir="data/tiny-imagenet-200")
    sampler1 = DistributedSampler(dataset1, rank=rank, num_replicas=world_size, shuffle=True)
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=args.batch_size, sampler=sampler1)
    torch.cuda.set_device(rank)
    model = ViT(image_size=224, patch_size=args.patch_size, num_classes=200, dim=args.emb_dim, depth=12, heads=16, mlp_dim=2048).to(rank)
    model = FSDP(model)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        train(args, model, rank, world_size, train_loader, optimizer, epoch, sampler=sampler1)
        optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser("ViT training script")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.0002)
    parser.add_argument("--batch_size", type=int, default=256)
    parser.add_argument("--patch_size", type=int, default=16)
    parser.add_argument("--emb_dim", type=int, default=768)
    parser.add_argument("--world_size", type=int, default=2)
    args = parser.parse_args()
    mp.spawn(fsdp_main, args=(args.world_size, args), nprocs=args.world_size, join=True)
