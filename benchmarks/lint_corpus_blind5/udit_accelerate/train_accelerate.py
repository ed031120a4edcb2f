import argparse
from collections import OrderedDict
from copy import deepcopy

import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader
from torchvision.datasets import ImageFolder

from diffusion import create_diffusion
from udit_models import DiT_models


@torch.no_grad()
def update_ema(ema, model, decay=0.9999):
    ema_params = OrderedDict(ema.named_parameters())
    for name, p in model.named_parameters():
        ema_params[name.replace("module.", "")].mul_(decay).add_(p.data, alpha=1 - decay)


def main(args):
    accelerator = Accelerator()
    device = accelerator.device
    model = DiT_models[args.model](input_size=args.image_size // 8, num_classes=args.num_classes).to(device)
    ema = deepcopy(model).to(device)
    ema.requires_grad_(False)
    diffusion = create_diffusion(timestep_respacing="")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0)
    loader = DataLoader(ImageFolder(args.data_path), batch_size=args.global_batch_size // accelerator.num_processes, shuffle=True, drop_last=True)
    update_ema(ema, model, decay=0)
    model.train()
    model, opt, loader = accelerator.prepare(model, opt, loader)
    for epoch in range(args.epochs):
        for x, y in loader:
            t = torch.randint(0, diffusion.num_timesteps, (x.shape[0],), device=device)
            loss = diffusion.training_losses(model, x, t, dict(y=y))["loss"].mean()
            opt.zero_grad()
            accelerator.backward(loss)
            opt.step()
            update_ema(ema, model)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-path", type=str, default=None)
    parser.add_argument("--model", type=str, default="DiT-XL/2")
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--num-classes", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1400)
    parser.add_argument("--global-batch-size", type=int, default=256)
    main(parser.parse_args())
