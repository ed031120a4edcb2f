import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch.cuda.amp import GradScaler, autocast

from models import ResNet50


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", default=0.1, type=float)
    parser.add_argument("--resume", "-r", action="store_true")
    return parser.parse_args()


def train(epoch, net, trainloader, criterion, optimizer, device):
    scaler = GradScaler()
    net.train()
    for batch_idx, (inputs, targets) in enumerate(trainloader):
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        with autocast():
            loss = criterion(net(inputs), targets)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


def main():
    args = parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    trainloader = torch.utils.data.DataLoader(torch.load("cifar_train.pt"), batch_size=128, shuffle=True)
    net = ResNet50().to(device)
    if device == "cuda":
        net = torch.nn.DataParallel(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)
    for epoch in range(200):
        train(epoch, net, trainloader, criterion, optimizer, device)
        scheduler.step()


if __name__ == "__main__":
    main()
