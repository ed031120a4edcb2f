# The optimizer class is chosen through a variable in an `if`/`else` (8-bit AdamW behind a flag,
# torch AdamW otherwise) and built without a weight_decay: torch AdamW's default 0.01 decays every
# parameter of the autoencoder, its GroupNorm gains and conv biases included (active: the flag is off).
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

        optimizer_cls = bnb.optim.AdamW8bit
    else:
        optimizer_cls = torch.optim.AdamW
    optimizer = optimizer_cls(autoencoder.parameters(), lr=args.learning_rate)
    return optimizer
