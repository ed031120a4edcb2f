"""The scheduler comes from a helper sized in optimizer steps (`len(loader) // accum` set by the
caller), but it is stepped on every micro-batch: the schedule runs `accum` times too fast."""

import torch
from transformers import get_scheduler


def build(args, model):
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    sched = get_scheduler(
        "cosine", optimizer=opt, num_warmup_steps=100, num_training_steps=args.total_steps
    )
    return opt, sched


def train(args, model, loader):
    opt, sched = build(args, model)
    for step, batch in enumerate(loader, start=1):
        loss = model(**batch).loss / args.accum
        loss.backward()
        if step % args.accum == 0:
            opt.step()
            opt.zero_grad()
        sched.step()


if __name__ == "__main__":
    import argparse

    args = argparse.Namespace(lr=1e-4, accum=8, epochs=3)
    model, loader = torch.nn.Linear(4, 2), []
    args.total_steps = args.epochs * len(loader) // args.accum
    train(args, model, loader)
