import argparse

import dgl.nn as dglnn
import torch
import torch.nn as nn
import torch.nn.functional as F
from dgl import AddSelfLoop
from dgl.data import CoraGraphDataset


class GCN(nn.Module):
    def __init__(self, in_size, hid_size, out_size):
        super().__init__()
        # GraphConv layers carry a bias by default
        self.layers = nn.ModuleList(
            [dglnn.GraphConv(in_size, hid_size, activation=F.relu), dglnn.GraphConv(hid_size, out_size)]
        )
        self.dropout = nn.Dropout(0.5)

    def forward(self, g, features):
        h = features
        for i, layer in enumerate(self.layers):
            if i != 0:
                h = self.dropout(h)
            h = layer(g, h)
        return h


def train(g, features, labels, masks, model):
    train_mask = masks[0]
    loss_fcn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=5e-4)
    for epoch in range(200):
        model.train()
        logits = model(g, features)
        loss = loss_fcn(logits[train_mask], labels[train_mask])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=str, default="cora")
    args = parser.parse_args()
    data = CoraGraphDataset(transform=AddSelfLoop())
    g = data[0]
    features = g.ndata["feat"]
    masks = g.ndata["train_mask"], g.ndata["val_mask"], g.ndata["test_mask"]
    model = GCN(features.shape[1], 16, data.num_classes)
    train(g, features, g.ndata["label"], masks, model)
