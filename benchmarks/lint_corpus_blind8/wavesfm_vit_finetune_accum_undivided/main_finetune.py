import argparse

import torch
from torch.utils.data import DataLoader

import models_vit
from data import build_datasets
from engine import train_one_epoch
from utils import cosine_schedule, param_groups_lrd


def parse_args():
    p = argparse.ArgumentParser(description="Multimodal fine-tuning entrypoint.")
    p.add_argument("--task", required=True)
    p.add_argument("--train-data", dest="train_path", required=True)
    p.add_argument("--model", default="vit_multi_small")
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--accum-steps", type=int, default=1)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--blr", type=float, default=1e-3)
    p.add_argument("--layer-decay", type=float, default=0.75)
    p.add_argument("--min-lr", type=float, default=1e-6)
    p.add_argument("--warmup-epochs", type=float, default=5.0)
    p.add_argument("--max-grad-norm", type=float, default=None)
    p.add_argument("--device", default="cuda")
    return p.parse_args()


def main():
    args = parse_args()
    device = torch.device(args.device)
    train_ds, val_ds, task_info = build_datasets(args.task, args.train_path)
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = models_vit.__dict__[args.model](modality=task_info.modality, num_outputs=task_info.num_outputs).to(device)
    criterion = torch.nn.CrossEntropyLoss()
    eff_batch = args.batch_size * args.accum_steps
    if args.lr is None:
        args.lr = args.blr * eff_batch / 256
    param_groups = param_groups_lrd(model, args.weight_decay, layer_decay=args.layer_decay)
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr)
    scaler = torch.amp.GradScaler(device == "cuda")
    steps_per_epoch = max(1, len(train_loader))
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = int(args.warmup_epochs * steps_per_epoch)
    lr_schedule = cosine_schedule(args.lr, args.min_lr, total_steps, warmup_steps)
    for epoch in range(args.epochs):
        step_offset = epoch * steps_per_epoch
        train_one_epoch(model, criterion, train_loader, optimizer, device, scaler, epoch, accum_steps=args.accum_steps, max_norm=args.max_grad_norm, lr_schedule=lr_schedule, start_step=step_offset)


if __name__ == "__main__":
    main()
