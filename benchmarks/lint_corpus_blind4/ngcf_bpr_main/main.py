import torch.optim as optim

from NGCF import NGCF
from utility.batch_test import args, data_generator

if __name__ == "__main__":
    model = NGCF(data_generator.n_users, data_generator.n_items, args.embed_size, args.regs, args.batch_size).to("cuda")
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(args.epoch):
        n_batch = data_generator.n_train // args.batch_size + 1
        for idx in range(n_batch):
            users, pos_items, neg_items = data_generator.sample()
            u, p, n = model(users, pos_items, neg_items)
            batch_loss, batch_mf_loss, batch_emb_loss = model.create_bpr_loss(u, p, n)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
