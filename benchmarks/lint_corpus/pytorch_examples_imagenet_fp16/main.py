import argparse

import torch
import torch.nn as nn
import torchvision.models as models

parser = argparse.ArgumentParser()
parser.add_argument("--arch", default="resnet18")
parser.add_argument("--lr", default=0.1, type=float)
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--weight-decay", "--wd", default=1e-4, type=float)
parser.add_argument("--fp16", action="store_true")
parser.add_argument("--loss-scale", type=float, default=1)


def main():
    global args, param_copy
    args = parser.parse_args()
    model = models.__dict__[args.arch]()
    if args.fp16:
        model = nn.DataParallel(model.cuda().half())
        param_copy = [p.clone().float().detach() for p in model.parameters()]
        for p in param_copy:
            p.requires_grad = True
    else:
        model = nn.DataParallel(model).cuda()
        param_copy = list(model.parameters())
    criterion = nn.CrossEntropyLoss().cuda()
    optimizer = torch.optim.SGD(param_copy, args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    for epoch in range(90):
        adjust_learning_rate(optimizer, epoch)
        train(load_data(), model, criterion, optimizer)


def train(loader, model, criterion, optimizer):
    model.train()
    for input, target in loader:
        loss = criterion(model(input), target.cuda()) * args.loss_scale
        if args.fp16:
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.grad.data = p.grad.data / args.loss_scale
            copy_grads_to_master(param_copy, model)
            optimizer.step()
            copy_master_to_model(model, param_copy)
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def adjust_learning_rate(optimizer, epoch):
    for group in optimizer.param_groups:
        group["lr"] = args.lr * (0.1 ** (epoch // 30))


def load_data():
    raise NotImplementedError


def copy_grads_to_master(master, model):
    raise NotImplementedError


def copy_master_to_model(model, master):
    raise NotImplementedError
