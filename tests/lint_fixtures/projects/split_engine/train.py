"""main() builds the DDP model, the optimizer and two schedules; engine.py runs the epochs."""
import argparse

import torch
from torch.nn.parallel import DistributedDataParallel as DDP
from transformers import get_linear_schedule_with_warmup

from engine import train_one_epoch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--num_samples", type=int, default=100000)
    p.add_argument("--accum_steps", type=int, default=1)
    p.add_argument("--world_size", type=int, default=1)
    args = p.parse_args()
    model = DDP(build_model(), device_ids=[torch.cuda.current_device()])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.0)
    total = args.num_samples // (args.batch_size * args.world_size) * args.epochs
    warmup = get_linear_schedule_with_warmup(optimizer, 500, total)
    per_epoch = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
    scaler = torch.amp.GradScaler("cuda")
    for epoch in range(args.epochs):
        train_one_epoch(
            net=model, optimizer=optimizer, schedule=warmup, scaler=scaler, accum=args.accum_steps
        )
        per_epoch.step()


def build_model():
    raise NotImplementedError
