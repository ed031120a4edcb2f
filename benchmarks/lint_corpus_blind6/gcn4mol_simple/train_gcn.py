import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_geometric.loader import DataLoader
from torch_geometric.nn import GCNConv, global_mean_pool


class SimpleGCN(nn.Module):
    def __init__(self, num_node_features, hidden):
        super().__init__()
        self.conv1 = GCNConv(num_node_features, hidden)
        self.conv2 = GCNConv(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x, edge_index, batch):
        x = F.relu(self.conv2(F.relu(self.conv1(x, edge_index)), edge_index))
        return self.out(global_mean_pool(x, batch))


def train_model(num_epochs=1000, batch_size=1, learning_rate=0.01):
    graphs = torch.load("molecular_graphs_with_labels.pt")
    train_loader = DataLoader(graphs[: int(len(graphs) * 0.8)], batch_size=batch_size, shuffle=True)
    model = SimpleGCN(graphs[0].num_node_features, hidden=64)
    loss_func = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    for epoch in range(num_epochs):
        model.train()
        for batch in train_loader:
            loss = loss_func(model(batch.x, batch.edge_index, batch.batch).squeeze(), batch.y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    train_model()
