import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class GraphAttentionLayer(nn.Module):
    def __init__(self, in_features, out_features, dropout, alpha, concat=True):
        super().__init__()
        self.dropout = dropout
        self.out_features = out_features
        self.concat = concat
        self.W = nn.Parameter(nn.init.xavier_uniform_(torch.empty(in_features, out_features), gain=np.sqrt(2.0)))
        self.a = nn.Parameter(nn.init.xavier_uniform_(torch.empty(2 * out_features, 1), gain=np.sqrt(2.0)))
        self.leakyrelu = nn.LeakyReLU(alpha)

    def forward(self, x, adj):
        h = x @ self.W
        n = h.size(0)
        pairs = torch.cat([h.repeat(1, n).view(n * n, -1), h.repeat(n, 1)], dim=1).view(n, -1, 2 * self.out_features)
        e = self.leakyrelu(torch.matmul(pairs, self.a).squeeze(2))
        att = torch.where(adj > 0, e, torch.full_like(e, -9e15))
        att = F.dropout(F.softmax(att, dim=1), self.dropout, training=self.training)
        out = att @ h
        return F.elu(out) if self.concat else out
