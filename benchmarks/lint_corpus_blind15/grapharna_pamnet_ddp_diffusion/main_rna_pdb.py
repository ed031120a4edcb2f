import argparse
import os

import torch
import torch.distributed as dist
import torch.optim as optim
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DistributedSampler
from torch_geometric.loader import DataLoader

from datasets import RNAPDBDataset
from losses import p_losses
from models import Config, PAMNet
from utils import Sampler


def main(world_size):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--timesteps", type=int, default=500)
    parser.add_argument("--lr-step", type=int, default=30)
    parser.add_argument("--lr-gamma", type=float, default=0.9)
    args = parser.parse_args()

    dist.init_process_group("nccl")
    rank = int(os.environ["LOCAL_RANK"])
    device = rank
    train_dataset = RNAPDBDataset("data", name="train-pkl").shuffle()
    dist_sampler = DistributedSampler(train_dataset, num_replicas=world_size, rank=rank, shuffle=True)
    train_loader = DataLoader(train_dataset, batch_size=args.batch_size, sampler=dist_sampler)
    sampler = Sampler(timesteps=args.timesteps)

    model = PAMNet(Config(dim=args.dim)).to(device)
    model = DDP(model, device_ids=[rank], find_unused_parameters=True)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=args.lr_step, gamma=args.lr_gamma)

    for epoch in range(args.epochs):
        model.train()
        for data, name, seqs in train_loader:
            mask = data.x[:, -1].bool()
            data = data.to(device)
            optimizer.zero_grad()
            t = torch.randint(0, args.timesteps, (args.batch_size,), device=device).long()
            graphs_t = t[data.batch]
            loss_all, loss_denoise = p_losses(model, data, seqs, graphs_t, sampler=sampler, loss_type="huber", mask=mask)
            loss_all.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        scheduler.step()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(world_size=torch.cuda.device_count())
