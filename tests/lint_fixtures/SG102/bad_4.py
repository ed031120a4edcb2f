# The ImageNet-style script: SGD with the decay from argparse, on every parameter.
import argparse

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--wd", "--weight-decay", type=float, default=1e-4, dest="weight_decay")
args = parser.parse_args()

model = torchvision.models.resnet18()
optimizer = torch.optim.SGD(
    model.parameters(), args.lr, momentum=0.9, weight_decay=args.weight_decay
)
