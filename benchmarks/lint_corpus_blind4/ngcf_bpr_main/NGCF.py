import torch
import torch.nn as nn


class NGCF(nn.Module):
    def __init__(self, n_user, n_item, emb_size=64, regs="[1e-5]", batch_size=1024):
        super().__init__()
        self.batch_size = batch_size
        self.decay = eval(regs)[0]
        init = nn.init.xavier_uniform_
        self.embedding_dict = nn.ParameterDict({
            "user_emb": nn.Parameter(init(torch.empty(n_user, emb_size))),
            "item_emb": nn.Parameter(init(torch.empty(n_item, emb_size))),
        })
        self.weight_dict = nn.ParameterDict({
            "W_gc_0": nn.Parameter(init(torch.empty(emb_size, emb_size))),
            "b_gc_0": nn.Parameter(init(torch.empty(1, emb_size))),
        })

    def create_bpr_loss(self, users, pos_items, neg_items):
        pos_scores = torch.sum(torch.mul(users, pos_items), axis=1)
        neg_scores = torch.sum(torch.mul(users, neg_items), axis=1)
        mf_loss = -1 * torch.mean(nn.LogSigmoid()(pos_scores - neg_scores))
        regularizer = (torch.norm(users) ** 2 + torch.norm(pos_items) ** 2 + torch.norm(neg_items) ** 2) / 2
        emb_loss = self.decay * regularizer / self.batch_size
        return mf_loss + emb_loss, mf_loss, emb_loss

    def forward(self, users, pos_items, neg_items):
        ego = torch.cat([self.embedding_dict["user_emb"], self.embedding_dict["item_emb"]], 0)
        side = ego @ self.weight_dict["W_gc_0"] + self.weight_dict["b_gc_0"]
        n_user = self.embedding_dict["user_emb"].shape[0]
        return side[:n_user][users], side[n_user:][pos_items], side[n_user:][neg_items]
