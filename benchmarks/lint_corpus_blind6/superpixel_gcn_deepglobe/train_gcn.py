import torch
import torch.nn.functional as F

import const
from models.gcn import GCN2


def train_one_epoch(model, loader, optimizer, device):
    model.train()
    total = 0.0
    for data in loader:
        data = data.to(device)
        out = model(data.x, data.edge_index)
        loss = F.kl_div(F.log_softmax(out, dim=1), data.y, reduction="batchmean")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += float(loss.item())
    return total


def main(train_loader, in_dim, out_dim):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = GCN2(in_dim=in_dim, hidden_dim=const.HIDDEN_DIM, out_dim=out_dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=const.LR)
    for epoch in range(1, const.EPOCHS + 1):
        train_one_epoch(model, train_loader, optimizer, device)
