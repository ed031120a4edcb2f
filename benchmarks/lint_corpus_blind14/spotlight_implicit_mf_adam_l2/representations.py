import torch.nn as nn


class ScaledEmbedding(nn.Embedding):
    def reset_parameters(self):
        self.weight.data.normal_(0, 1.0 / self.embedding_dim)


class ZeroEmbedding(nn.Embedding):
    def reset_parameters(self):
        self.weight.data.zero_()


class BilinearNet(nn.Module):
    def __init__(self, num_users, num_items, embedding_dim=32, sparse=False):
        super().__init__()
        self.user_embeddings = ScaledEmbedding(num_users, embedding_dim, sparse=sparse)
        self.item_embeddings = ScaledEmbedding(num_items, embedding_dim, sparse=sparse)
        self.user_biases = ZeroEmbedding(num_users, 1, sparse=sparse)
        self.item_biases = ZeroEmbedding(num_items, 1, sparse=sparse)

    def forward(self, user_ids, item_ids):
        u = self.user_embeddings(user_ids).squeeze()
        i = self.item_embeddings(item_ids).squeeze()
        dot = (u * i).sum(1)
        return dot + self.user_biases(user_ids).squeeze() + self.item_biases(item_ids).squeeze()
