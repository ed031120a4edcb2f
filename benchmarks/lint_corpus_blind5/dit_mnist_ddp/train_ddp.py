import argparse
from copy import deepcopy

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler
from torchvision import datasets

from diffusion.gaussian_diffusion import create_diffusion
from models.DiT import DiT_models
from utils.training_utils import requires_grad, update_ema


def main(args):
    dist.init_process_group("nccl")
    rank = dist.get_rank()
    device = rank % torch.cuda.device_count()
    torch.cuda.set_device(device)
    model = DiT_models[args.model](input_size=args.image_size // 8, num_classes=args.num_classes).cuda()
    ema = deepcopy(model).cuda()
    requires_grad(ema, False)
    update_ema(ema, model, decay=0)
    model = DDP(model.to(device), device_ids=[rank])
    diffusion = create_diffusion(diffusion_steps=1000)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0)
    data = datasets.MNIST(root="./data", train=True, download=True)
    loader = DataLoader(data, batch_size=args.global_batch_size // dist.get_world_size(), sampler=DistributedSampler(data, shuffle=True), drop_last=True)
    train(args, model, ema, diffusion, loader, optimizer)


def train(args, model, ema, diffusion, loader, optimizer):
    model.train()
    for epoch in range(args.epochs):
        for x, y in loader:
            x, y = x.cuda(), y.cuda()
            t = torch.randint(0, diffusion.num_timesteps, (x.shape[0],), device=x.device)
            noise = torch.randn_like(x)
            x_t = diffusion.q_sample(x, t, noise)
            loss = diffusion.training_losses(model(x_t, t, y), x, x_t, t, noise)["loss"].mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            update_ema(ema, model.module)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=str, default="DiT-XL/2")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--num-classes", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=1400)
    parser.add_argument("--global-batch-size", type=int, default=512)
    main(parser.parse_args())
