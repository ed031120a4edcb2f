import math

import torch
import torch.nn as nn


class GraphConvolution(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_features, out_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter("bias", None)
        std = 1.0 / math.sqrt(out_features)
        self.weight.data.uniform_(-std, std)
        if self.bias is not None:
            self.bias.data.uniform_(-std, std)

    def forward(self, data):
        x, topology = data
        out = topology @ (x @ self.weight)
        return (out + self.bias if self.bias is not None else out), topology


class GCN(nn.Module):
    def __init__(self, num_features_per_layer, dropout_prob):
        super().__init__()
        dims = num_features_per_layer
        self._net = nn.Sequential(*[GraphConvolution(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self._dropout = nn.Dropout(dropout_prob)

    def forward(self, data):
        return self._net(data)
