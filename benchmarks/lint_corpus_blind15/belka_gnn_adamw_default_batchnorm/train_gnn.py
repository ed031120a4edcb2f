import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from absl import app
from torch.nn import BCEWithLogitsLoss
from torch_geometric.loader import DataLoader
from torch_geometric.nn import MessagePassing, global_max_pool


class CustomGNNLayer(MessagePassing):
    def __init__(self, in_channels, out_channels):
        super().__init__(aggr="max")
        self.lin = nn.Linear(in_channels + 6, out_channels)

    def forward(self, x, edge_index, edge_attr):
        return self.propagate(edge_index, x=x, edge_attr=edge_attr)

    def message(self, x_j, edge_attr):
        return torch.cat((x_j, edge_attr), dim=1)

    def update(self, aggr_out):
        return self.lin(aggr_out)


class GNNModel(nn.Module):
    def __init__(self, input_dim, hidden_dim, num_layers, dropout_rate, out_channels=1):
        super().__init__()
        self.convs = nn.ModuleList([CustomGNNLayer(input_dim if i == 0 else hidden_dim, hidden_dim) for i in range(num_layers)])
        self.bns = nn.ModuleList([nn.BatchNorm1d(hidden_dim) for _ in range(num_layers)])
        self.dropout = nn.Dropout(dropout_rate)
        self.lin = nn.Linear(hidden_dim, out_channels)

    def forward(self, data):
        x = data.x
        for conv, bn in zip(self.convs, self.bns):
            x = self.dropout(F.relu(bn(conv(x, data.edge_index, data.edge_attr))))
        return self.lin(global_max_pool(x, data.batch))


def train_model(train_loader, num_epochs, input_dim, hidden_dim, num_layers, dropout_rate, out_channels, lr):
    model = GNNModel(input_dim, hidden_dim, num_layers, dropout_rate, out_channels)
    optimizer = optim.AdamW(model.parameters(), lr=lr)
    criterion = BCEWithLogitsLoss()
    for epoch in range(num_epochs):
        model.train()
        for batch in train_loader:
            optimizer.zero_grad()
            out = model(batch)
            loss = criterion(out, batch.y.float())
            loss.backward()
            optimizer.step()
    return model


def main(argv):
    train_data = torch.load("../gnn_data/train.pt")
    train_loader = DataLoader(train_data, batch_size=32, shuffle=True)
    input_dim = train_loader.dataset[0].num_node_features
    train_model(train_loader, 11, input_dim, 64, 4, 0.3, 3, 0.001)


if __name__ == "__main__":
    app.run(main)
