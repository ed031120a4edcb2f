import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch_geometric.data import DataLoader

from loader import MoleculeDataset
from model import GNN_graphpred

criterion = nn.BCEWithLogitsLoss()


def train(args, model, device, loader, optimizer):
    model.train()
    for step, batch in enumerate(loader):
        batch = batch.to(device)
        pred, h = model(batch.x, batch.p, batch.edge_index, batch.edge_attr, batch.batch)
        y = batch.y.view(pred.shape).to(torch.float64)
        loss = criterion(pred.double(), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--lr_scale", type=float, default=1)
    parser.add_argument("--decay", type=float, default=0)
    parser.add_argument("--graph_pooling", type=str, default="mean")
    parser.add_argument("--dataset", type=str, default="tox21")
    args = parser.parse_args()
    device = torch.device("cuda:0") if torch.cuda.is_available() else torch.device("cpu")

    dataset = MoleculeDataset("dataset/" + args.dataset, dataset=args.dataset)
    train_loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True)
    model = GNN_graphpred(num_layers=4, num_tasks=12, graph_pooling=args.graph_pooling).to(device)

    model_param_group = []
    model_param_group.append({"params": model.gnn.parameters()})
    if args.graph_pooling == "attention":
        model_param_group.append({"params": model.pool.parameters(), "lr": args.lr * args.lr_scale})
    model_param_group.append({"params": model.graph_pred_linear.parameters(), "lr": args.lr * args.lr_scale})
    optimizer = optim.Adam(model_param_group, lr=args.lr, weight_decay=args.decay)

    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer)


if __name__ == "__main__":
    main()
