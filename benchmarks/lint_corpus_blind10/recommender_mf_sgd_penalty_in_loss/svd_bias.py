import torch.nn as nn


class Model(nn.Module):
    def __init__(self, num_users, num_items, num_factors, mu):
        super().__init__()
        self.embed_user = nn.Embedding(num_users, num_factors)
        self.embed_item = nn.Embedding(num_items, num_factors)
        self.user_bias = nn.Embedding(num_users, 1)
        self.item_bias = nn.Embedding(num_items, 1)
        self.mu = mu

    def forward(self, user_idx, item_idx):
        dot = (self.embed_user(user_idx) * self.embed_item(item_idx)).sum(axis=1)
        return dot + self.user_bias(user_idx).squeeze() + self.item_bias(item_idx).squeeze() + self.mu
