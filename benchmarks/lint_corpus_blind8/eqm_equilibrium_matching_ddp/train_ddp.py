import argparse
import os
from copy import deepcopy

import torch
import torch.distributed as dist
from diffusers.models import AutoencoderKL
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from models import EqM_models
from transport import create_transport


def main(args):
    dist.init_process_group("nccl")
    rank = dist.get_rank()
    device = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(device)
    local_batch_size = int(args.global_batch_size // dist.get_world_size())
    latent_size = args.image_size // 8
    model = EqM_models[args.model](input_size=latent_size, num_classes=args.num_classes).to(device)
    ema = deepcopy(model).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0)
    model = DDP(model, device_ids=[device])
    transport = create_transport(args.path_type, args.prediction)
    vae = AutoencoderKL.from_pretrained(f"stabilityai/sd-vae-ft-{args.vae}").to(device)
    dataset = make_imagefolder(args)
    sampler = DistributedSampler(dataset, num_replicas=dist.get_world_size(), rank=rank, shuffle=True)
    loader = DataLoader(dataset, batch_size=local_batch_size, sampler=sampler, drop_last=True)
    model.train()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for x, y in loader:
            x = x.to(device)
            y = y.to(device)
            with torch.no_grad():
                x = vae.encode(x).latent_dist.sample().mul_(0.18215)
            loss_dict = transport.training_losses(model, x, dict(y=y, train=True))
            loss = loss_dict["loss"].mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            update_ema(ema, model.module)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=str, default="EqM-XL/2")
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--num-classes", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--global-batch-size", type=int, default=256)
    parser.add_argument("--vae", type=str, default="ema")
    main(parser.parse_args())
