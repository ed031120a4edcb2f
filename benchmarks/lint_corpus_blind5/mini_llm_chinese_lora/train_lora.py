import argparse
import math
from contextlib import nullcontext

import torch
import torch.nn as nn
from torch import optim
from torch.utils.data import DataLoader

from model.dataset import SFTDataset
from model.LMConfig import LMConfig
from model.model import miniLLMChineseLM
from model.model_lora import apply_lora


def get_lr(current, total, lr):
    return lr / 10 + 0.5 * lr * (1 + math.cos(math.pi * current / total))


def train_epoch(epoch, model, loader, optimizer, scaler, ctx, lora_params, args, iters):
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
            torch.nn.utils.clip_grad_norm_(lora_params, args.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--device", type=str, default="cuda:0")
    parser.add_argument("--dtype", type=str, default="bfloat16")
    parser.add_argument("--accumulation_steps", type=int, default=1)
    parser.add_argument("--grad_clip", type=float, default=1.0)
    args = parser.parse_args()
    ctx = torch.cuda.amp.autocast()
    model = miniLLMChineseLM(LMConfig(dim=512, n_layers=8)).to(args.device)
    apply_lora(model)
    for name, p in model.named_parameters():
        if "lora" not in name:
            p.requires_grad = False
    lora_params = [p for name, p in model.named_parameters() if "lora" in name]
    optimizer = optim.AdamW(lora_params, lr=args.learning_rate)
    loader = DataLoader(SFTDataset("./dataset/lora_medical.jsonl"), batch_size=args.batch_size)
    scaler = torch.cuda.amp.GradScaler(enabled=(args.dtype in ["float16", "bfloat16"]))
    iters = len(loader)
    for epoch in range(args.epochs):
        train_epoch(epoch, model, loader, optimizer, scaler, ctx, lora_params, args, iters)
