import torch.nn as nn
import torch.optim as optim

from .data_set import GraphData
from .model import GCN


def trainer(config):
    x, y, train_mask, val_mask, test_mask, adjacency = GraphData(config=config).get_data()
    model = GCN(config).to(config["device"])
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])
    for epoch in range(config["epochs"]):
        model.train()
        optimizer.zero_grad()
        output = model(x, adjacency)
        loss = criterion(output[train_mask], y[train_mask])
        loss.backward()
        optimizer.step()
