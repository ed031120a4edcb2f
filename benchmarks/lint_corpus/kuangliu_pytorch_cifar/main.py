import argparse

import torch
import torch.nn as nn
import torch.optim as optim

from models import ResNet18

parser = argparse.ArgumentParser(description="PyTorch CIFAR10 Training")
parser.add_argument("--lr", default=0.1, type=float)
args = parser.parse_args()

def make_loader():
    raise NotImplementedError


net = ResNet18().cuda()
net = torch.nn.DataParallel(net)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)


def train(loader):
    net.train()
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(net(inputs.cuda()), targets.cuda())
        loss.backward()
        optimizer.step()


trainloader = make_loader()
for epoch in range(200):
    train(trainloader)
    scheduler.step()
