# The most common real form: argparse decides the decay, and Adam couples it to the gradient.
import argparse

import torch
from torch import nn


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    return ap.parse_args()


def main():
    args = parse()
    model = nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.Linear(16, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    return optimizer
