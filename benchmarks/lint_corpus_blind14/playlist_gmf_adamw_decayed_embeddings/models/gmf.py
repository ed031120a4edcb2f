import torch
import torch.nn as nn


class GMF(nn.Module):
    def __init__(self, n_users, n_items, dim=8, p_drop=0.2, use_bias=False):
        super().__init__()
        self.use_bias = use_bias
        self.users = nn.Embedding(n_users, dim)
        self.items = nn.Embedding(n_items, dim)
        self.drop = nn.Dropout(p_drop)
        if use_bias:
            self.user_bias = nn.Parameter(torch.zeros(n_users))
            self.item_bias = nn.Parameter(torch.zeros(n_items))
            self.offset = nn.Parameter(torch.zeros(1))

    def forward(self, u, i):
        score = (self.drop(self.users(u)) * self.drop(self.items(i))).sum(dim=1)
        if self.use_bias:
            score = score + self.user_bias[u] + self.item_bias[i] + self.offset
        return score.squeeze()
