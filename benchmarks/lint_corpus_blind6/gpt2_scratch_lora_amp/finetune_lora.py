import argparse
import math

import torch
import torch.nn as nn

from lora import apply_lora
from model import load_base_model


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--base_model", type=str, required=True)
    p.add_argument("--batch_size", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--learning_rate", type=float, default=2e-5)
    p.add_argument("--gradient_accumulation_steps", type=int, default=4)
    p.add_argument("--max_grad_norm", type=float, default=1.0)
    p.add_argument("--warmup_ratio", type=float, default=0.1)
    p.add_argument("--use_amp", action="store_true")
    return p.parse_args()


def train_epoch(model, get_batch, steps_per_epoch, optimizer, scheduler, scaler, criterion, args):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    for step in range(steps_per_epoch):
        X, Y = get_batch(step)
        B, T = X.shape
        if args.use_amp and scaler is not None:
            with torch.amp.autocast("cuda", dtype=torch.float16):
                loss = criterion(model(X).view(B * T, -1), Y.view(B * T))
        else:
            loss = criterion(model(X).view(B * T, -1), Y.view(B * T))
        scaled_loss = loss / args.gradient_accumulation_steps
        if args.use_amp and scaler is not None:
            scaler.scale(scaled_loss).backward()
        else:
            scaled_loss.backward()
        if (step + 1) % args.gradient_accumulation_steps == 0:
            if args.use_amp and scaler is not None:
                scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
            if args.use_amp and scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            if scheduler is not None:
                scheduler.step()
            optimizer.zero_grad(set_to_none=True)


def main():
    args = parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model, config = load_base_model(args.base_model, device)
    model = apply_lora(model, rank=16, alpha=32, targets=["qkv", "out_proj"])
    get_batch, steps_per_epoch = config["loader"](args.batch_size)
    steps_per_epoch = min(steps_per_epoch, 5000)
    trainable_params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable_params, lr=args.learning_rate, weight_decay=0.01)
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = int(total_steps * args.warmup_ratio)

    def lr_lambda(step):
        if step < warmup_steps:
            return step / max(1, warmup_steps)
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return max(0.1, 0.5 * (1 + math.cos(math.pi * progress)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    scaler = torch.amp.GradScaler("cuda") if args.use_amp and device.type == "cuda" else None
    for epoch in range(1, args.epochs + 1):
        train_epoch(model, get_batch, steps_per_epoch, optimizer, scheduler, scaler, nn.CrossEntropyLoss(), args)


if __name__ == "__main__":
    main()
