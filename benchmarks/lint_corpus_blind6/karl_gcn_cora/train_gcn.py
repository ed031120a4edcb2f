import torch
import torch.nn.functional as F
from torch_geometric.datasets import Planetoid
from torch_geometric.nn import GCNConv


class GCN(torch.nn.Module):
    def __init__(self, n_in, hidden, n_out):
        super().__init__()
        self.conv1 = GCNConv(n_in, hidden)
        self.conv2 = GCNConv(hidden, n_out)

    def forward(self, x, edge_index):
        h = F.dropout(F.relu(self.conv1(x, edge_index)), p=0.5, training=self.training)
        return self.conv2(h, edge_index)


def train(model, data, optimizer, criterion):
    model.train()
    optimizer.zero_grad()
    out = model(data.x, data.edge_index)
    loss = criterion(out[data.train_mask], data.y[data.train_mask])
    loss.backward()
    optimizer.step()
    return loss.item()


def main():
    data = Planetoid(root="/tmp/Cora", name="Cora")[0]
    model = GCN(data.num_features, 16, 7)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(1, 201):
        train(model, data, optimizer, criterion)


if __name__ == "__main__":
    main()
