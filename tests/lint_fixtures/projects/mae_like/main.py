# Builds the DDP model, the optimizer and the loss scaler; the loop is engine.train_one_epoch.
import argparse

import torch

from engine import train_one_epoch
from util.misc import NativeScaler


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--accum_iter", default=1, type=int)
    p.add_argument("--epochs", default=400, type=int)
    p.add_argument("--gpu", default=0, type=int)
    return p.parse_args()


def main(args):
    model = torch.nn.parallel.DistributedDataParallel(build_model(), device_ids=[args.gpu])
    groups = [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.05},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=1.5e-4, betas=(0.9, 0.95))
    loss_scaler = NativeScaler()
    for epoch in range(args.epochs):
        train_one_epoch(model, load_data(), optimizer, epoch, loss_scaler, args=args)


def build_model():
    raise NotImplementedError


def load_data():
    raise NotImplementedError


if __name__ == "__main__":
    main(get_args())
