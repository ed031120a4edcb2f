import argparse

import torch

from models import VideoNet

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--weight-decay", type=float, default=5e-4)


def adjust_learning_rate(optimizer, lr, decay):
    for group in optimizer.param_groups:
        group["lr"] = lr * group["lr_mult"]
        group["weight_decay"] = decay * group["decay_mult"]


def main(loader):
    args = parser.parse_args()
    model = VideoNet(num_class=10)
    policies = model.get_optim_policies()
    model = torch.nn.DataParallel(model)
    optimizer = torch.optim.SGD(policies, args.lr, momentum=0.9, weight_decay=args.weight_decay)
    for clip, label in loader:
        loss = torch.nn.functional.cross_entropy(model(clip), label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
