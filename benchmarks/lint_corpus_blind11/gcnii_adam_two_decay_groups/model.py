import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parameter import Parameter


class GraphConvolution(nn.Module):
    def __init__(self, in_features, out_features, residual=False, variant=False):
        super().__init__()
        self.variant = variant
        self.in_features = 2 * in_features if variant else in_features
        self.residual = residual
        self.weight = Parameter(torch.empty(self.in_features, out_features))
        stdv = 1.0 / math.sqrt(out_features)
        self.weight.data.uniform_(-stdv, stdv)

    def forward(self, x, adj, h0, lamda, alpha, layer):
        theta = math.log(lamda / layer + 1)
        hi = torch.spmm(adj, x)
        support = (1 - alpha) * hi + alpha * h0
        out = theta * (support @ self.weight) + (1 - theta) * support
        return out + x if self.residual else out


class GCNII(nn.Module):
    def __init__(self, nfeat, nlayers, nhidden, nclass, dropout, lamda, alpha, variant):
        super().__init__()
        self.convs = nn.ModuleList([GraphConvolution(nhidden, nhidden, variant=variant) for _ in range(nlayers)])
        self.fcs = nn.ModuleList([nn.Linear(nfeat, nhidden), nn.Linear(nhidden, nclass)])
        self.params1 = list(self.convs.parameters())
        self.params2 = list(self.fcs.parameters())
        self.dropout, self.alpha, self.lamda = dropout, alpha, lamda

    def forward(self, x, adj):
        x = F.dropout(x, self.dropout, training=self.training)
        h0 = h = F.relu(self.fcs[0](x))
        for i, conv in enumerate(self.convs):
            h = F.relu(conv(F.dropout(h, self.dropout, training=self.training), adj, h0, self.lamda, self.alpha, i + 1))
        return F.log_softmax(self.fcs[-1](F.dropout(h, self.dropout, training=self.training)), dim=1)
