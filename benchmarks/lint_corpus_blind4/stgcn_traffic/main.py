import argparse

import torch.nn as nn
import torch.optim as optim

from model import models


def get_parameters():
    parser = argparse.ArgumentParser(description="STGCN")
    parser.add_argument("--dataset", type=str, default="metr-la", choices=["metr-la", "pems-bay", "pemsd7-m"])
    parser.add_argument("--graph_conv_type", type=str, default="cheb_graph_conv", choices=["cheb_graph_conv", "graph_conv"])
    parser.add_argument("--enable_bias", type=bool, default=True)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--weight_decay_rate", type=float, default=0.0005, help="weight decay (L2 penalty)")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=10000)
    parser.add_argument("--opt", type=str, default="adam")
    parser.add_argument("--step_size", type=int, default=10)
    parser.add_argument("--gamma", type=float, default=0.95)
    return parser.parse_args()


def prepare_model(args, blocks, n_vertex, device):
    loss = nn.MSELoss()
    if args.graph_conv_type == "cheb_graph_conv":
        model = models.STGCNChebGraphConv(args, blocks, n_vertex).to(device)
    else:
        model = models.STGCNGraphConv(args, blocks, n_vertex).to(device)
    if args.opt == "rmsprop":
        optimizer = optim.RMSprop(model.parameters(), lr=args.lr, weight_decay=args.weight_decay_rate)
    elif args.opt == "adam":
        optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay_rate, amsgrad=False)
    elif args.opt == "adamw":
        optimizer = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay_rate, amsgrad=False)
    else:
        raise NotImplementedError(args.opt)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=args.step_size, gamma=args.gamma)
    return loss, model, optimizer, scheduler


def train(loss, args, optimizer, scheduler, model, train_iter):
    for epoch in range(args.epochs):
        model.train()
        for x, y in train_iter:
            y_pred = model(x).view(len(x), -1)
            l = loss(y_pred, y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            scheduler.step()


if __name__ == "__main__":
    args = get_parameters()
    loss, model, optimizer, scheduler = prepare_model(args, [[1], [64, 16, 64], [128], [1]], 207, "cuda")
    train(loss, args, optimizer, scheduler, model, [])
