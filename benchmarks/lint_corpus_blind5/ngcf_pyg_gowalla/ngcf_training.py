import torch

from bprloss import compute_bpr_loss
from recmodel import RecSysGNN

device = "cuda"
data = torch.load("gow/gowalla_combined_all_64_het.pt").to(device)
train_data = torch.load("gow/gowalla_train_all_64_het.pt").to(device)
num_users, num_items = 29858, 40981
edge_index = torch.cat([data.edge_index, data.edge_index[[1, 0]]], dim=1)
train_edges = train_data.edge_index

model = RecSysGNN(64, 4, num_users, num_items, "NGCF").to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)


def train():
    model.train()
    batch_size = 4096
    edges = train_edges[:, torch.randperm(train_edges.size(1))]
    for start in range(0, num_users, batch_size):
        end = min(start + batch_size, num_users)
        users, pos = edges[0, start:end], edges[1, start:end]
        neg = torch.randint(num_users, num_users + num_items, (pos.size(0),))
        u, p, n, u0, p0, n0 = model.encode_minibatch(users, pos, neg, edge_index)
        bpr_loss, reg_loss = compute_bpr_loss(users, u, p, n, u0, p0, n0)
        DECAY = 0.0001
        reg_loss = DECAY * reg_loss
        final_loss = bpr_loss + reg_loss
        optimizer.zero_grad()
        final_loss.backward()
        optimizer.step()
    return final_loss


for epoch in range(1, 1000):
    train()
