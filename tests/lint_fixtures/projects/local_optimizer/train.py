# The project's own optimizers module (common/optimizers.py, not part of the linted tree) provides
# Novograd; every parameter of the model gets its weight decay, the BatchNorm gains included.
import argparse

import torch
from common.optimizers import Novograd


def main(model, loader):
    parser = argparse.ArgumentParser()
    parser.add_argument("--weight_decay", default=1e-3, type=float)
    args = parser.parse_args()
    kw = {"lr": 1e-2, "weight_decay": args.weight_decay}
    optimizer = Novograd(model.parameters(), **kw)
    for x, y in loader:
        loss = torch.nn.functional.ctc_loss(model(x), y, None, None)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
