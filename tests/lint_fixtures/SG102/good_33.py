# The same choice between an 8-bit and a torch optimizer, both Adam: neither decays by default.
import argparse

import torch
from torch import nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--use_8bit_adam", action="store_true")
    parser.add_argument("--learning_rate", type=float, default=1e-4)
    args = parser.parse_args()
    autoencoder = nn.Sequential(nn.Conv2d(3, 64, 3), nn.GroupNorm(32, 64), nn.Conv2d(64, 3, 3))
    if args.use_8bit_adam:
        import bitsandbytes as bnb

        optimizer_cls = bnb.optim.Adam8bit
    else:
        optimizer_cls = torch.optim.Adam
    optimizer = optimizer_cls(autoencoder.parameters(), lr=args.learning_rate)
    return optimizer
