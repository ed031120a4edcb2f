import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader

from data import ModelNet40
from model import DGCNN, PointNet
from util import cal_loss


def train(args):
    loader = DataLoader(ModelNet40(partition="train", num_points=args.num_points), batch_size=args.batch_size, shuffle=True, drop_last=True)
    device = torch.device("cuda" if args.cuda else "cpu")
    model = PointNet(args).to(device) if args.model == "pointnet" else DGCNN(args).to(device)
    model = nn.DataParallel(model)

    if args.use_sgd:
        opt = optim.SGD(model.parameters(), lr=args.lr * 100, momentum=args.momentum, weight_decay=1e-4)
    else:
        opt = optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = CosineAnnealingLR(opt, args.epochs, eta_min=args.lr)

    for epoch in range(args.epochs):
        scheduler.step()
        model.train()
        for data, label in loader:
            data, label = data.to(device).permute(0, 2, 1), label.to(device).squeeze()
            opt.zero_grad()
            loss = cal_loss(model(data), label)
            loss.backward()
            opt.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Point Cloud Recognition")
    parser.add_argument("--model", type=str, default="dgcnn", choices=["pointnet", "dgcnn"])
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=250)
    parser.add_argument("--use_sgd", type=bool, default=True)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--no_cuda", type=bool, default=False)
    parser.add_argument("--num_points", type=int, default=1024)
    parser.add_argument("--emb_dims", type=int, default=1024)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args()
    args.cuda = not args.no_cuda and torch.cuda.is_available()
    train(args)
