import argparse
import math
import os

import torch
import torch.distributed as dist
from torch import nn, optim
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from model.dataset import PretrainDataset
from model.LMConfig import LMConfig
from model.model import MiniMindLM


def get_lr(current, total, lr):
    return lr / 10 + 0.5 * lr * (1 + math.cos(math.pi * current / total))


def train_epoch(epoch, model, loader, optimizer, scaler, ctx, args, iters):
    loss_fct = nn.CrossEntropyLoss(reduction="none")
    for step, (X, Y, mask) in enumerate(loader):
        X, Y, mask = X.to(args.device), Y.to(args.device), mask.to(args.device)
        lr = get_lr(epoch * iters + step, args.epochs * iters, args.learning_rate)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with ctx:
            res = model(X)
            loss = loss_fct(res.logits.view(-1, res.logits.size(-1)), Y.view(-1)).view(Y.size())
            loss = (loss * mask).sum() / mask.sum()
            loss += res.aux_loss
            loss = loss / args.accumulation_steps
        scaler.scale(loss).backward()
        if (step + 1) % args.accumulation_steps == 0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=5e-4)
    parser.add_argument("--device", type=str, default="cuda:0")
    parser.add_argument("--dtype", type=str, default="bfloat16")
    parser.add_argument("--accumulation_steps", type=int, default=8)
    parser.add_argument("--grad_clip", type=float, default=1.0)
    parser.add_argument("--dim", default=512, type=int)
    parser.add_argument("--n_layers", default=8, type=int)
    args = parser.parse_args()
    ctx = torch.cuda.amp.autocast()
    ddp = int(os.environ.get("RANK", -1)) != -1
    if ddp:
        dist.init_process_group(backend="nccl")
        args.device = torch.device(f"cuda:{int(os.environ['LOCAL_RANK'])}")
    model = MiniMindLM(LMConfig(dim=args.dim, n_layers=args.n_layers)).to(args.device)
    ds = PretrainDataset("./dataset/pretrain_hq.jsonl")
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=DistributedSampler(ds) if ddp else None)
    scaler = torch.cuda.amp.GradScaler(enabled=(args.dtype in ["float16", "bfloat16"]))
    optimizer = optim.AdamW(model.parameters(), lr=args.learning_rate)
    if ddp:
        model = DistributedDataParallel(model, device_ids=[int(os.environ["LOCAL_RANK"])])
    iters = len(loader)
    for epoch in range(args.epochs):
        train_epoch(epoch, model, loader, optimizer, scaler, ctx, args, iters)
