import argparse

import torch
import torch.nn as nn
import torch.optim as optim

from conf import settings
from utils import WarmUpLR, get_network, get_training_dataloader


def train(net, epoch):
    net.train()
    for batch_index, (images, labels) in enumerate(cifar100_training_loader):
        if args.gpu:
            labels = labels.cuda()
            images = images.cuda()
        optimizer.zero_grad()
        outputs = net(images)
        loss = loss_function(outputs, labels)
        loss.backward()
        optimizer.step()
        if epoch <= args.warm:
            warmup_scheduler.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-net", type=str, required=True)
    parser.add_argument("-gpu", action="store_true", default=False)
    parser.add_argument("-b", type=int, default=128)
    parser.add_argument("-warm", type=int, default=1)
    parser.add_argument("-lr", type=float, default=0.1)
    args = parser.parse_args()

    net = get_network(args)
    cifar100_training_loader = get_training_dataloader(
        settings.CIFAR100_TRAIN_MEAN, settings.CIFAR100_TRAIN_STD, num_workers=4, batch_size=args.b, shuffle=True)

    loss_function = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    train_scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=settings.MILESTONES, gamma=0.2)
    iter_per_epoch = len(cifar100_training_loader)
    warmup_scheduler = WarmUpLR(optimizer, iter_per_epoch * args.warm)

    for epoch in range(1, settings.EPOCH + 1):
        if epoch > args.warm:
            train_scheduler.step(epoch)
        train(net, epoch)
