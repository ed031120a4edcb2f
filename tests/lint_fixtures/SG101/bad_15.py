# A factory maps the configured optimizer name to a class; the default name picks Adam, and the
# weight decay passed to the class it returns becomes coupled L2.
import argparse

import torch


def get_optimizer_class(name):
    if name == "adam":
        return torch.optim.Adam
    elif name == "adamw":
        return torch.optim.AdamW
    elif name == "sgd":
        return torch.optim.SGD
    raise ValueError(f"unknown optimizer {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--weight_decay", type=float, default=1e-4)
    args = parser.parse_args()
    model = torch.nn.Linear(16, 4)
    groups = [{"params": [model.weight]}, {"params": [model.bias], "weight_decay": 0.0}]
    optimizer_cls = get_optimizer_class(args.optimizer)
    return optimizer_cls(groups, lr=1e-3, weight_decay=args.weight_decay)
