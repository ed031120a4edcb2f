import torch

from bprloss import compute_bpr_loss
from recmodel import RecSysGNN

num_users = 29858
num_items = 40981
model = RecSysGNN(64, 4, num_users, num_items, "NGCF").to("cuda")
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)


def train(positive_edges, edge_index, batch_size=4096):
    model.train()
    for start in range(0, num_users, batch_size):
        end = min(start + batch_size, num_users)
        pos_users, pos_items = positive_edges[0, start:end], positive_edges[1, start:end]
        neg_items = torch.randint(num_users, num_users + num_items, (pos_items.size(0),))
        users_emb, pos_emb, neg_emb, user_emb0, pos_emb0, neg_emb0 = model.encode_minibatch(pos_users, pos_items, neg_items, edge_index)
        bpr_loss, reg_loss = compute_bpr_loss(pos_users, users_emb, pos_emb, neg_emb, user_emb0, pos_emb0, neg_emb0)
        DECAY = 0.0001
        reg_loss = DECAY * reg_loss
        final_loss = bpr_loss + reg_loss
        optimizer.zero_grad()
        final_loss.backward()
        optimizer.step()
    return final_loss
