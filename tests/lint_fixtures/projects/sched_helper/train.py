# The loop steps the scheduler on every micro-batch; the schedule was sized in micro-batches
# (epochs * len(loader)) before the helper in lib/optim.py built it: consistent.
import argparse

from lib.optim import build_optimizer_scheduler


def train(args, model, loader):
    optimizer, scheduler = build_optimizer_scheduler(args, model)
    for step, batch in enumerate(loader, start=1):
        loss = model(**batch).loss / args.accum
        loss.backward()
        if step % args.accum == 0:
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--accum", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=1e-4)
    args = p.parse_args()
    model, loader = None, []
    args.num_training_steps = args.epochs * len(loader)
    train(args, model, loader)
