"""Pretraining entry point: the groups carry no weight decay, so Adam applies none."""

import torch

from lib.groups import grouped_parameters
from lib.optimizers import get_optimizer


def main():
    model = torch.nn.Transformer(d_model=64, nhead=4)
    groups = grouped_parameters(model)
    optimizer = get_optimizer("adam", groups, 1e-4)
    return model, optimizer
