import argparse

import torch
import torch.nn as nn

from data import get_dataset
from models import CNN, ResNet_model
from utils import entropy_reg

parser = argparse.ArgumentParser(description="Entropy Penalty using Information Bottleneck Principle")
parser.add_argument("--beta", type=float, default=1)
parser.add_argument("--arch", type=str, default="resnet")
parser.add_argument("--depth", type=int, default=56)
parser.add_argument("--bs", type=int, default=128)
parser.add_argument("--bn", action="store_true")
parser.add_argument("--lr", type=float, default=0.001)
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--wdecay", type=float, default=0.0001, help="weight decay applied to all weights")
args = parser.parse_args()

trainloader, validloader, testloader, nb_classes, dim_inp = get_dataset(args)
if args.arch == "resnet":
    model0 = ResNet_model(bn=args.bn, num_classes=nb_classes, depth=args.depth)
else:
    model0 = CNN(bn=args.bn, num_classes=nb_classes)
params = list(model0.parameters())
model = torch.nn.DataParallel(model0).cuda()
criterion = nn.CrossEntropyLoss()


def train(epoch):
    model.train()
    optimizer.zero_grad()
    for batch_idx in range(len(trainloader)):
        inputs, targets = next(iter(trainloader))
        inputs, targets = inputs.cuda(), targets.cuda()
        outputs, hid_repr = model(inputs, ret_hid=True)
        loss = criterion(outputs, targets)
        regularization_loss = entropy_reg(hid_repr, targets.cpu().numpy())
        total_loss_ = loss + args.beta * regularization_loss
        total_loss_.backward()
        optimizer.step()
        optimizer.zero_grad()


optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=args.wdecay)
for epoch in range(1, args.epochs + 1):
    train(epoch)
