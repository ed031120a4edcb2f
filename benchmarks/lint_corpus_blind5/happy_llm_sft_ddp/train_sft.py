import argparse
import math
import os
from contextlib import nullcontext

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from dataset import SFTDataset
from model import ModelConfig, Transformer


def lr_at(step, total, base, warmup):
    if step < warmup:
        return base * step / max(1, warmup)
    progress = min(1.0, max(0.0, (step - warmup) / max(1, total - warmup)))
    return 0.5 * base * (1.0 + math.cos(math.pi * progress))


def train(args):
    is_ddp = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = "cuda"
    if is_ddp:
        dist.init_process_group(backend="nccl")
        device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
    dataset = SFTDataset(args.data_path)
    sampler = DistributedSampler(dataset) if is_ddp else None
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler)
    model = Transformer(ModelConfig(dim=args.dim, n_layers=args.n_layers)).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=args.weight_decay)
    if is_ddp:
        model = DDP(model, device_ids=[int(os.environ["LOCAL_RANK"])])

    steps_per_epoch = math.ceil(len(loader) / args.grad_accum_steps)
    total_steps = args.epochs * steps_per_epoch
    warmup_steps = int(total_steps * args.warmup_ratio)
    model.train()
    accum = 0
    global_step = 0
    optimizer.zero_grad(set_to_none=True)
    for epoch in range(args.epochs):
        for batch_idx, batch in enumerate(loader):
            ids, labels = batch["input_ids"].to(device), batch["labels"].to(device)
            should_step = (accum + 1) % args.grad_accum_steps == 0 or batch_idx + 1 == len(loader)
            ctx = model.no_sync() if is_ddp and not should_step else nullcontext()
            with ctx:
                _, loss = model(ids, labels)
                (loss / args.grad_accum_steps).backward()
            accum += 1
            if not should_step:
                continue
            global_step += 1
            for group in optimizer.param_groups:
                group["lr"] = lr_at(global_step, total_steps, args.learning_rate, warmup_steps)
            if args.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            accum = 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data_path", type=str, default="data/processed/sft_alpaca_zh.jsonl")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=1)
    parser.add_argument("--grad_accum_steps", type=int, default=8)
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--n_layers", type=int, default=12)
    parser.add_argument("--learning_rate", type=float, default=2e-5)
    parser.add_argument("--weight_decay", type=float, default=0.1)
    parser.add_argument("--warmup_ratio", type=float, default=0.03)
    parser.add_argument("--grad_clip", type=float, default=1.0)
    train(parser.parse_args())


if __name__ == "__main__":
    main()
