"""CLIP fine-tuning.

Launch: python -m torch.distributed.run --nproc_per_node 4 --nnodes 1 train_dist.py
"""
import torch
from torch.amp.autocast_mode import autocast
from torch.amp.grad_scaler import GradScaler
from torch.optim import lr_scheduler
from torch.optim.adamw import AdamW

from tools.dist_tools import RANK, WORLD_SIZE, setup_ddp_envs
from tools.utils import build_clip_loss, build_model_transform, bulid_dataloader_dist


class yaml_load:
    def __init__(self, cfg_path):
        import yaml

        with open(cfg_path) as f:
            for k, v in yaml.safe_load(f).items():
                setattr(self, k, v)
        if isinstance(self.lr, str):
            self.lr = eval(self.lr)


def train(args, model, loss_fun, train_loader):
    device = args.device
    optimizer = AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schduler = lr_scheduler.LinearLR(optimizer, start_factor=1, end_factor=args.lr_final, total_iters=args.epochs)
    schduler_warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.001, end_factor=1, total_iters=args.warmup)
    scaler = GradScaler(device=device)
    optimizer.zero_grad()
    for epoch in range(args.epochs):
        for step, (images, texts) in enumerate(train_loader):
            step += epoch * len(train_loader)
            with autocast(device, enabled=args.amp, dtype=torch.bfloat16):
                output = model(images.to(device), texts.to(device))
                loss = loss_fun(**output)
                loss = loss * WORLD_SIZE
            if args.amp:
                scaler.scale(loss).backward()
            else:
                loss.backward()
            if step < args.warmup:
                schduler_warmup.step()
            if (step + 1) % args.accumulate == 0:
                if args.amp:
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1)
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1)
                    optimizer.step()
                optimizer.zero_grad()
        if step >= args.warmup:
            schduler.step()


if __name__ == "__main__":
    setup_ddp_envs()
    args = yaml_load("config.yaml")
    args.warmup = args.warmup // WORLD_SIZE
    model, transform = build_model_transform(args.model_hyp)
    if WORLD_SIZE > 1:
        args.device = f"cuda:{RANK}"
        model.to(args.device)
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[RANK], output_device=RANK, find_unused_parameters=False)
    loss_fun = build_clip_loss({"rank": RANK, "world_size": WORLD_SIZE})
    train_loader = bulid_dataloader_dist(args, transform, shuffle=True, rank=RANK)
    train(args, model, loss_fun, train_loader)
