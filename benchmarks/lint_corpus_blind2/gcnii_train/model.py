import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parameter import Parameter


class GraphConvolution(nn.Module):
    def __init__(self, in_features, out_features, residual=False, variant=False):
        super().__init__()
        self.in_features = 2 * in_features if variant else in_features
        self.out_features = out_features
        self.residual = residual
        self.variant = variant
        self.weight = Parameter(torch.FloatTensor(self.in_features, self.out_features))  # no bias
        stdv = 1.0 / math.sqrt(self.out_features)
        self.weight.data.uniform_(-stdv, stdv)

    def forward(self, x, adj, h0, lamda, alpha, layer):
        theta = math.log(lamda / layer + 1)
        hi = torch.spmm(adj, x)
        support = (1 - alpha) * hi + alpha * h0
        out = theta * torch.mm(support, self.weight) + (1 - theta) * support
        return out + x if self.residual else out


class GCNII(nn.Module):
    def __init__(self, nfeat, nlayers, nhidden, nclass, dropout, lamda, alpha, variant):
        super().__init__()
        self.convs = nn.ModuleList(GraphConvolution(nhidden, nhidden, variant=variant) for _ in range(nlayers))
        self.fcs = nn.ModuleList([nn.Linear(nfeat, nhidden), nn.Linear(nhidden, nclass)])
        # two parameter lists, each given its own weight decay by train.py
        self.params1 = list(self.convs.parameters())
        self.params2 = list(self.fcs.parameters())
        self.dropout, self.lamda, self.alpha = dropout, lamda, alpha

    def forward(self, x, adj):
        x = F.dropout(x, self.dropout, training=self.training)
        h0 = F.relu(self.fcs[0](x))
        h = h0
        for i, conv in enumerate(self.convs):
            h = F.dropout(h, self.dropout, training=self.training)
            h = F.relu(conv(h, adj, h0, self.lamda, self.alpha, i + 1))
        h = F.dropout(h, self.dropout, training=self.training)
        return F.log_softmax(self.fcs[-1](h), dim=1)
