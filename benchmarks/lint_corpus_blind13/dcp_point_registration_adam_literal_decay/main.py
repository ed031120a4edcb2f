import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import MultiStepLR
from torch.utils.data import DataLoader

from data import ModelNet40
from model import DCP


def train_one_epoch(args, net, train_loader, opt):
    net.train()
    for src, target, rotation_ab, translation_ab, rotation_ba, translation_ba, euler_ab, euler_ba in train_loader:
        src, target = src.cuda(), target.cuda()
        rotation_ab, translation_ab = rotation_ab.cuda(), translation_ab.cuda()
        batch_size = src.size(0)
        opt.zero_grad()
        rotation_ab_pred, translation_ab_pred, rotation_ba_pred, translation_ba_pred = net(src, target)
        identity = torch.eye(3).cuda().unsqueeze(0).repeat(batch_size, 1, 1)
        loss = F.mse_loss(torch.matmul(rotation_ab_pred.transpose(2, 1), rotation_ab), identity) \
            + F.mse_loss(translation_ab_pred, translation_ab)
        loss.backward()
        opt.step()


def train(args, net, train_loader):
    if args.use_sgd:
        opt = optim.SGD(net.parameters(), lr=args.lr * 100, momentum=args.momentum, weight_decay=1e-4)
    else:
        opt = optim.Adam(net.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = MultiStepLR(opt, milestones=[75, 150, 200], gamma=0.1)
    for epoch in range(args.epochs):
        scheduler.step()
        train_one_epoch(args, net, train_loader, opt)


def main():
    parser = argparse.ArgumentParser(description="Point Cloud Registration")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=250)
    parser.add_argument("--use_sgd", action="store_true", default=False)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--num_points", type=int, default=1024)
    args = parser.parse_args()
    train_loader = DataLoader(ModelNet40(num_points=args.num_points, partition="train"),
                              batch_size=args.batch_size, shuffle=True, drop_last=True)
    net = DCP(args).cuda()
    if torch.cuda.device_count() > 1:
        net = nn.DataParallel(net)
    train(args, net, train_loader)


if __name__ == "__main__":
    main()
