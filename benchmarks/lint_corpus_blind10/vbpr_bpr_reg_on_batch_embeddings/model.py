import torch
import torch.nn as nn


class VBPR(nn.Module):
    def __init__(self, n_users, n_items, embedding_size, item_raw_features):
        super().__init__()
        self.n_users = n_users
        self.item_raw_features = item_raw_features
        self.item_linear = nn.Linear(item_raw_features.shape[1], embedding_size)
        self.u_embedding = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n_users, embedding_size * 2)))
        self.i_embedding = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n_items, embedding_size)))

    def get_rep(self):
        item_rep = torch.cat((self.i_embedding, self.item_linear(self.item_raw_features)), dim=1)
        return torch.cat((self.u_embedding, item_rep), dim=0)

    def bpr_forward(self, users, pos_items, neg_items):
        rep = self.get_rep()
        user_rep = rep[users, :]
        pos_item_rep = rep[self.n_users + pos_items, :]
        neg_item_rep = rep[self.n_users + neg_items, :]
        l2_norm_sq = torch.norm(user_rep, p=2, dim=1) ** 2 + torch.norm(pos_item_rep, p=2, dim=1) ** 2 + torch.norm(neg_item_rep, p=2, dim=1) ** 2
        return user_rep, pos_item_rep, neg_item_rep, l2_norm_sq
