# Builds the optimizer and its schedule; the schedule's length is whatever the caller set.
import torch
from transformers import get_scheduler


def build_optimizer_scheduler(args, model):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    warmup = int(args.num_training_steps * 0.03)
    scheduler = get_scheduler("cosine", optimizer=optimizer, num_warmup_steps=warmup, num_training_steps=args.num_training_steps)
    return optimizer, scheduler
