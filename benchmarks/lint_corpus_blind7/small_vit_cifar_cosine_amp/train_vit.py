import argparse
import math

import torch
import torch.nn.functional as F


def build_optimizer(model, lr, wd):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim == 1 or n.endswith("bias") or "pos_embed" in n or "cls_token" in n:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)


class CosineWarmup:
    def __init__(self, optimizer, warmup_steps, total_steps, min_lr=1e-6):
        self.optimizer = optimizer
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.min_lr = min_lr
        self._step = 0
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]

    def step(self):
        self._step += 1
        for i, group in enumerate(self.optimizer.param_groups):
            base = self.base_lrs[i]
            if self._step <= self.warmup_steps:
                group["lr"] = base * self._step / max(1, self.warmup_steps)
            else:
                t = (self._step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps)
                group["lr"] = self.min_lr + (base - self.min_lr) * 0.5 * (1 + math.cos(math.pi * t))


def train_one_epoch(args, model, loader, optimizer, scaler, device, scheduler=None):
    model.train()
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad(set_to_none=True)
        with torch.cuda.amp.autocast(enabled=args.amp):
            loss = F.cross_entropy(model(images), labels)
        scaler.scale(loss).backward()
        if args.grad_clip > 0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        scaler.step(optimizer)
        scaler.update()
        if scheduler is not None:
            scheduler.step()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--wd", type=float, default=0.05)
    p.add_argument("--warmup-epochs", type=int, default=5)
    p.add_argument("--amp", action="store_true")
    p.add_argument("--grad-clip", type=float, default=1.0)
    args = p.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = ViT(num_classes=10).to(device)
    optimizer = build_optimizer(model, lr=args.lr, wd=args.wd)
    total_steps = args.epochs * len(train_loader)
    warmup_steps = max(1, args.warmup_epochs * len(train_loader))
    scheduler = CosineWarmup(optimizer, warmup_steps, total_steps)
    scaler = torch.cuda.amp.GradScaler(enabled=args.amp)
    for epoch in range(args.epochs):
        train_one_epoch(args, model, train_loader, optimizer, scaler, device, scheduler)
