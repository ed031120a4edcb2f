# The schedule is sized in batches (samples // (batch size * processes)) and handed to the epoch
# function, which steps it once per window: k times too long.
import torch
from transformers import get_linear_schedule_with_warmup


def train_one_epoch(model, loader, optimizer, sched, accum_steps):
    for i, batch in enumerate(loader):
        loss = model(**batch).loss / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            sched.step()
            optimizer.zero_grad()


def main(args, model, loader, world_size):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    total = args.num_samples // (args.batch_size * world_size) * args.epochs
    lr_scheduler = get_linear_schedule_with_warmup(optimizer, 100, total)
    for _ in range(args.epochs):
        train_one_epoch(model, loader, optimizer, lr_scheduler, args.accum_steps)
