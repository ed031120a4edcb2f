import argparse
import sys

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import MultiStepLR

from cgcnn.data import CIFData, collate_pool, get_train_val_test_loader
from cgcnn.model import CrystalGraphConvNet

parser = argparse.ArgumentParser(description="Crystal Graph Convolutional Neural Networks")
parser.add_argument("data_options", metavar="OPTIONS", nargs="+")
parser.add_argument("--epochs", default=30, type=int)
parser.add_argument("-b", "--batch-size", default=256, type=int)
parser.add_argument("--lr", "--learning-rate", default=0.01, type=float)
parser.add_argument("--lr-milestones", default=[100], nargs="+", type=int)
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--weight-decay", "--wd", default=0, type=float)
parser.add_argument("--optim", default="SGD", type=str)
args = parser.parse_args(sys.argv[1:])


def main():
    dataset = CIFData(*args.data_options)
    train_loader, val_loader, test_loader = get_train_val_test_loader(dataset=dataset, collate_fn=collate_pool,
                                                                      batch_size=args.batch_size, return_test=True)
    structures, _, _ = dataset[0]
    model = CrystalGraphConvNet(structures[0].shape[-1], structures[1].shape[-1])
    criterion = nn.MSELoss()
    if args.optim == "SGD":
        optimizer = optim.SGD(model.parameters(), args.lr,
                              momentum=args.momentum,
                              weight_decay=args.weight_decay)
    elif args.optim == "Adam":
        optimizer = optim.Adam(model.parameters(), args.lr,
                               weight_decay=args.weight_decay)
    else:
        raise NameError("Only SGD or Adam is allowed as --optim")

    scheduler = MultiStepLR(optimizer, milestones=args.lr_milestones, gamma=0.1)
    for epoch in range(args.epochs):
        train(train_loader, model, criterion, optimizer, epoch)
        scheduler.step()


def train(train_loader, model, criterion, optimizer, epoch):
    model.train()
    for i, (input, target, _) in enumerate(train_loader):
        output = model(*input)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    main()
