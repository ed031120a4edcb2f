import argparse

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from utils import load_config, make_loader


def main(args):
    training_cfg = load_config(args.config)["training"]
    grad_accum_steps = int(training_cfg.get("grad_accum_steps", 1))
    epochs = int(training_cfg.get("epochs", 1400))
    base_lr = float(training_cfg.get("base_lr", 2e-4))
    dist.init_process_group("nccl")
    model = build_model(training_cfg).cuda()
    model = DDP(model, device_ids=[dist.get_rank() % torch.cuda.device_count()])
    opt = torch.optim.AdamW(model.parameters(), lr=base_lr, weight_decay=0)
    loader = make_loader(training_cfg)
    steps_per_epoch = len(loader) // grad_accum_steps
    schedl = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda s: max(0.1, 1 - s / (800 * steps_per_epoch)))
    for epoch in range(epochs):
        opt.zero_grad()
        accum_counter = 0
        for x, y in loader:
            loss_tensor = diffusion_loss(model, x.cuda(), y.cuda()).mean()
            (loss_tensor / grad_accum_steps).backward()
            accum_counter += 1
            if accum_counter < grad_accum_steps:
                continue
            opt.step()
            schedl.step()
            opt.zero_grad()
            accum_counter = 0


def build_model(cfg):
    raise NotImplementedError


def diffusion_loss(model, x, y):
    raise NotImplementedError


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    main(parser.parse_args())
