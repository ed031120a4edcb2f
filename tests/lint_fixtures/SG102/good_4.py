# The configured decay goes only to the decay group; a builder whose decay is provably 0.
import argparse

import torch

import stepguard

parser = argparse.ArgumentParser()
parser.add_argument("--weight-decay", type=float, default=0.05)
args = parser.parse_args()
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.AdamW(
    stepguard.param_groups(model, weight_decay=args.weight_decay), lr=1e-3
)


def build_sgd(model, wd=0):
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=wd)


probe = build_sgd(model)
