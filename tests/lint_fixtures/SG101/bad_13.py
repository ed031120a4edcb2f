# A registry of optimizer classes keyed by a command-line string: the default picks Adam, and the
# configured weight decay becomes coupled L2.
import argparse

import torch

OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}


def build(model, args):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return OPTIMIZERS[args.optimizer](groups, lr=args.lr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS))
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight_decay", type=float, default=1e-4)
    args = parser.parse_args()
    return build(torch.nn.Linear(4, 4), args)
