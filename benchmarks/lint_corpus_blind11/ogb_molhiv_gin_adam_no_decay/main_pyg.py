import argparse

import torch
import torch.optim as optim
from gnn import GNN
from ogb.graphproppred import PygGraphPropPredDataset
from torch_geometric.data import DataLoader

cls_criterion = torch.nn.BCEWithLogitsLoss()
reg_criterion = torch.nn.MSELoss()


def train(model, device, loader, optimizer, task_type):
    model.train()
    for batch in loader:
        batch = batch.to(device)
        if batch.x.shape[0] == 1 or batch.batch[-1] == 0:
            continue
        pred = model(batch)
        optimizer.zero_grad()
        is_valid = batch.y == batch.y
        if "classification" in task_type:
            loss = cls_criterion(pred.to(torch.float32)[is_valid], batch.y.to(torch.float32)[is_valid])
        else:
            loss = reg_criterion(pred.to(torch.float32)[is_valid], batch.y.to(torch.float32)[is_valid])
        loss.backward()
        optimizer.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gnn", type=str, default="gin-virtual")
    parser.add_argument("--drop_ratio", type=float, default=0.5)
    parser.add_argument("--num_layer", type=int, default=5)
    parser.add_argument("--emb_dim", type=int, default=300)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--dataset", type=str, default="ogbg-molhiv")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dataset = PygGraphPropPredDataset(name=args.dataset)
    split = dataset.get_idx_split()
    loader = DataLoader(dataset[split["train"]], batch_size=args.batch_size, shuffle=True)
    model = GNN(gnn_type="gin", num_tasks=dataset.num_tasks, emb_dim=args.emb_dim, drop_ratio=args.drop_ratio, virtual_node=True).to(device)
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    for _epoch in range(1, args.epochs + 1):
        train(model, device, loader, optimizer, dataset.task_type)


if __name__ == "__main__":
    main()
