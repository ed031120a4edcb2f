# Graph network whose class lists two parameter sets for the script to decay differently: the
# propagation layers (bias-free weight matrices) and the input/output Linear layers. The second
# list holds the Linear biases, and its group decays them.
import argparse

import torch
import torch.nn as nn
from torch.nn.parameter import Parameter


class Propagation(nn.Module):
    def __init__(self, width, wide=False):
        super().__init__()
        self.width = 2 * width if wide else width
        self.weight = Parameter(torch.empty(self.width, width))

    def forward(self, x, adj):
        return torch.spmm(adj, x) @ self.weight


class DeepGraphNet(nn.Module):
    def __init__(self, nfeat, nhidden, nclass, depth):
        super().__init__()
        self.props = nn.ModuleList(Propagation(nhidden) for _ in range(depth))
        self.heads = nn.ModuleList([nn.Linear(nfeat, nhidden), nn.Linear(nhidden, nclass)])
        self.prop_params = list(self.props.parameters())
        self.head_params = list(self.heads.parameters())

    def forward(self, x, adj):
        h = torch.relu(self.heads[0](x))
        for layer in self.props:
            h = torch.relu(layer(h, adj))
        return self.heads[1](h)


parser = argparse.ArgumentParser()
parser.add_argument("--wd_prop", type=float, default=0.01)
parser.add_argument("--wd_head", type=float, default=5e-4)
args = parser.parse_args()

model = DeepGraphNet(1433, 64, 7, 16)
optimizer = torch.optim.Adam(
    [
        {"params": model.prop_params, "weight_decay": args.wd_prop},
        {"params": model.head_params, "weight_decay": args.wd_head},
    ],
    lr=0.01,
)
