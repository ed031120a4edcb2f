import argparse

import torch
import torch.nn.functional as F

from model import SHGCN


def run_exp(args, dataset, data, hat_A, hat_A2, device):
    def train(model, optimizer, data, hat_A, hat_A2):
        model.train()
        optimizer.zero_grad()
        out = model(data, hat_A, hat_A2)
        nll = F.nll_loss(out[data.train_mask], data.y[data.train_mask])
        loss = nll
        loss.backward()
        optimizer.step()

    model = SHGCN(dataset, args).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    for epoch in range(args.epochs):
        train(model, optimizer, data, hat_A, hat_A2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.07)
    parser.add_argument("--weight_decay", type=float, default=0.0005)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.6)
    args = parser.parse_args()
