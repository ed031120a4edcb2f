import argparse
import math
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from atomic_ops import SNNAdam
from dataset import PretrainDataset
from model import SNNLanguageModel


def cosine_lr(it, total, base_lr, warmup):
    floor = base_lr / 10
    if it < warmup:
        return base_lr * it / warmup
    if it > total:
        return floor
    ratio = (it - warmup) / (total - warmup)
    return floor + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (base_lr - floor)


def run_epoch(epoch, model, loader, sampler, optimizer, scaler, ctx, args, iters):
    sampler.set_epoch(epoch)
    rank = int(os.environ["LOCAL_RANK"])
    for step, (x, y, mask) in enumerate(loader):
        x, y, mask = x.to(rank), y.to(rank), mask.to(rank)
        lr = cosine_lr(epoch * iters + step, args.epochs * iters, args.learning_rate, args.warmup_iters)
        for group in optimizer.param_groups:
            group["lr"] = lr * group.get("lr_mult", 1.0)
        with ctx:
            out = model(x, y)
            loss = out.last_loss / args.accumulation_steps
            flat = mask.view(-1)
            loss = torch.sum(loss * flat) / flat.sum()
        scaler.scale(loss).backward()
        if (step + 1) % args.accumulation_steps == 0:
            scaler.unscale_(optimizer)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--dtype", type=str, default="bfloat16")
    parser.add_argument("--learning_rate", type=float, default=2e-4)
    parser.add_argument("--accumulation_steps", type=int, default=8)
    parser.add_argument("--grad_clip", type=float, default=1.0)
    parser.add_argument("--warmup_iters", type=int, default=0)
    parser.add_argument("--neuron_lr_mult", type=float, default=10.0)
    args = parser.parse_args()

    dist.init_process_group(backend="nccl")
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    half = torch.bfloat16 if args.dtype == "bfloat16" else torch.float16
    ctx = torch.amp.autocast("cuda", dtype=half)

    model = SNNLanguageModel().to(local_rank)
    model = DDP(model, device_ids=[local_rank])
    data = PretrainDataset()
    sampler = DistributedSampler(data)
    loader = DataLoader(data, batch_size=args.batch_size, sampler=sampler, drop_last=True)

    scaler = torch.amp.GradScaler("cuda", enabled=(args.dtype == "float16"))
    groups = []
    for key, params in model.module.get_param_groups().items():
        mult = args.neuron_lr_mult if key.startswith("b_") else 1.0
        groups.append({"params": params, "lr": args.learning_rate * mult, "lr_mult": mult})
    optimizer = SNNAdam(groups, lr=args.learning_rate, betas=(0.9, 0.95), grad_clip=args.grad_clip)

    iters = len(loader)
    for epoch in range(args.epochs):
        model.train()
        run_epoch(epoch, model, loader, sampler, optimizer, scaler, ctx, args, iters)


if __name__ == "__main__":
    main()
