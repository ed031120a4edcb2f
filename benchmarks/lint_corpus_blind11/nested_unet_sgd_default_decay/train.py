import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler

import archs
import losses
from utils import str2bool


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", default=100, type=int)
    parser.add_argument("-b", "--batch_size", default=16, type=int)
    parser.add_argument("--arch", "-a", default="NestedUNet")
    parser.add_argument("--deep_supervision", default=False, type=str2bool)
    parser.add_argument("--input_channels", default=3, type=int)
    parser.add_argument("--num_classes", default=1, type=int)
    parser.add_argument("--loss", default="BCEDiceLoss")
    parser.add_argument("--optimizer", default="SGD", choices=["Adam", "SGD"])
    parser.add_argument("--lr", "--learning_rate", default=1e-3, type=float)
    parser.add_argument("--momentum", default=0.9, type=float)
    parser.add_argument("--weight_decay", default=1e-4, type=float)
    parser.add_argument("--nesterov", default=False, type=str2bool)
    parser.add_argument("--scheduler", default="CosineAnnealingLR", choices=["CosineAnnealingLR", "ReduceLROnPlateau", "MultiStepLR", "ConstantLR"])
    parser.add_argument("--min_lr", default=1e-5, type=float)
    parser.add_argument("--factor", default=0.1, type=float)
    parser.add_argument("--patience", default=2, type=int)
    return parser.parse_args()


def train(config, train_loader, model, criterion, optimizer):
    model.train()
    for inp, target, _ in train_loader:
        inp, target = inp.cuda(), target.cuda()
        if config["deep_supervision"]:
            outputs = model(inp)
            loss = 0
            for output in outputs:
                loss += criterion(output, target)
            loss /= len(outputs)
        else:
            loss = criterion(model(inp), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def validate(val_loader, model, criterion):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for inp, target, _ in val_loader:
            total += criterion(model(inp.cuda()), target.cuda()).item()
    return total / len(val_loader)


def main(train_loader, val_loader):
    config = vars(parse_args())
    criterion = nn.BCEWithLogitsLoss().cuda() if config["loss"] == "BCEWithLogitsLoss" else losses.__dict__[config["loss"]]().cuda()
    model = archs.__dict__[config["arch"]](config["num_classes"], config["input_channels"], config["deep_supervision"]).cuda()

    params = filter(lambda p: p.requires_grad, model.parameters())
    if config["optimizer"] == "Adam":
        optimizer = optim.Adam(params, lr=config["lr"], weight_decay=config["weight_decay"])
    elif config["optimizer"] == "SGD":
        optimizer = optim.SGD(params, lr=config["lr"], momentum=config["momentum"], nesterov=config["nesterov"], weight_decay=config["weight_decay"])
    else:
        raise NotImplementedError

    if config["scheduler"] == "CosineAnnealingLR":
        scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=config["epochs"], eta_min=config["min_lr"])
    elif config["scheduler"] == "ReduceLROnPlateau":
        scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, factor=config["factor"], patience=config["patience"], min_lr=config["min_lr"])
    else:
        scheduler = None

    for _epoch in range(config["epochs"]):
        train(config, train_loader, model, criterion, optimizer)
        val_loss = validate(val_loader, model, criterion)
        if config["scheduler"] == "CosineAnnealingLR":
            scheduler.step()
        elif config["scheduler"] == "ReduceLROnPlateau":
            scheduler.step(val_loss)
