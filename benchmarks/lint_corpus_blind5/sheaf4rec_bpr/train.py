import torch
import torch.nn as nn

from models import SheafConvLayer, compute_bpr_loss
from dataset import data_loader, n_items, n_users, train_df, train_edge_index

BATCH_SIZE = 1024
DECAY = 0.0001
LR = 0.005
EPOCHS = 90


class RecSysGNN(nn.Module):
    def __init__(self, latent_dim, num_layers, num_users, num_items):
        super().__init__()
        self.embedding = nn.Embedding(num_users + num_items, latent_dim)
        self.convs = nn.ModuleList(SheafConvLayer(output_dim=7) for _ in range(num_layers))

    def forward(self, edge_index):
        emb0 = self.embedding.weight
        embs = [emb0]
        emb = emb0
        for conv in self.convs:
            emb = conv(x=emb)
            embs.append(emb)
        return emb0, torch.mean(torch.stack(embs, dim=0), dim=0)

    def encode_minibatch(self, users, pos, neg, edge_index):
        emb0, out = self(edge_index)
        return out[users], out[pos], out[neg], emb0[users], emb0[pos], emb0[neg]


def train_and_eval(model, optimizer, train_df):
    for epoch in range(EPOCHS):
        model.train()
        for batch_idx in range(len(train_df) // BATCH_SIZE):
            optimizer.zero_grad()
            users, pos, neg = data_loader(train_df, BATCH_SIZE, n_users, n_items)
            u, p, n, u0, p0, n0 = model.encode_minibatch(users, pos, neg, train_edge_index)
            bpr_loss, reg_loss = compute_bpr_loss(users, u, p, n, u0, p0, n0)
            reg_loss = DECAY * reg_loss
            final_loss = bpr_loss + reg_loss
            final_loss.backward()
            optimizer.step()


sheafnn = RecSysGNN(latent_dim=64, num_layers=10, num_users=n_users, num_items=n_items)
optimizer = torch.optim.Adam(sheafnn.parameters(), lr=LR)
train_and_eval(sheafnn, optimizer, train_df)
