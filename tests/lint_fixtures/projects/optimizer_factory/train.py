"""Pretraining entry point: groups from lib.groups, the optimizer class by name from
lib.optimizers (Adam: coupled L2 on the decayed group)."""

import torch

from lib.groups import grouped_parameters
from lib.optimizers import get_optimizer


def main():
    model = torch.nn.Transformer(d_model=64, nhead=4)
    groups = grouped_parameters(model)
    optimizer = get_optimizer("adam", groups, 1e-4)
    return model, optimizer
