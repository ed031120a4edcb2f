import argparse
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

import metrics_helper
from models import PETNet


def train(hyperparameters, train_loader):
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    world_size = torch.distributed.get_world_size()
    model = PETNet(num_inputs=hyperparameters.innodes, num_hidden=hyperparameters.hidden,
                   num_outputs=hyperparameters.outnodes, num_steps=hyperparameters.timesteps,
                   beta=hyperparameters.constant)
    ddp_model = DDP(model.to(device))
    loss_fn = metrics_helper.mse_count_loss()
    optimizer = torch.optim.Adam(ddp_model.parameters(), lr=hyperparameters.lr, betas=(0.9, 0.999))
    for epoch in range(hyperparameters.epochs):
        train_loader.sampler.set_epoch(epoch)
        train_loss = 0
        ddp_model.train()
        for batch_idx, (data, targets) in enumerate(train_loader):
            data = data.to(device).permute(2, 0, 1)
            targets = targets.to(device).permute(2, 0, 1)
            optimizer.zero_grad()
            spk_rec, mem_rec = ddp_model(data)
            loss = loss_fn(spk_rec, targets)
            loss.backward()
            optimizer.step()
            torch.distributed.all_reduce(loss)
            loss /= world_size
            train_loss += loss.item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", default=64, type=int)
    parser.add_argument("--constant", default=0.95, type=int)
    parser.add_argument("--epochs", default=10, type=int)
    parser.add_argument("--hidden", default=240, type=int)
    parser.add_argument("--lr", default=5e-4, type=float)
    parser.add_argument("--innodes", default=240, type=int)
    parser.add_argument("--outnodes", default=240, type=int)
    parser.add_argument("--timesteps", default=1000, type=int)
    arguments = parser.parse_args()
    world_size = int(os.getenv("SLURM_NTASKS"))
    rank = int(os.getenv("SLURM_PROCID"))
    os.environ["MASTER_ADDR"] = os.getenv("SLURM_LAUNCH_NODE_IPADDR")
    os.environ["MASTER_PORT"] = "29500"
    dist.init_process_group(backend="nccl", rank=rank, world_size=world_size)
    train(arguments, None)
    dist.destroy_process_group()
