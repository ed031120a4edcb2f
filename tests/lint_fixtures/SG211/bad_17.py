# The scaler is built unconditionally but steps only in the AMP branch; the scheduler steps after
# the if/else either way. The finding bites only under --amp (off by default): latent on it.
import argparse

import torch
from torch.cuda.amp import GradScaler


def train(args, model, loader, optimizer, scheduler):
    scaler = GradScaler()
    for x, y in loader:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        if args.amp:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        scheduler.step()
        optimizer.zero_grad()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--amp", action="store_true")
    train(parser.parse_args(), None, [], None, None)
