# The same setup, with the unwrapped model given to create_optimizer: the skip list is read.
import argparse

import torch
from timm.optim import create_optimizer
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, dim=192, tokens=197):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.head = nn.Linear(dim, 1000)

    def no_weight_decay(self):
        return {"pos_embed", "cls_token"}


def main(gpu):
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", default="adamw")
    parser.add_argument("--weight-decay", type=float, default=0.05)
    args = parser.parse_args()
    model = TinyViT().cuda()
    model_without_ddp = model
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[gpu])
    optimizer = create_optimizer(args, model_without_ddp)
    return optimizer
