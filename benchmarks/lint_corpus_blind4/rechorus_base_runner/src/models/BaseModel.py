import torch.nn as nn


class BaseModel(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.optimizer = None
        self.check_list = []

    def customize_parameters(self) -> list:
        weight_p, bias_p = [], []
        for name, p in filter(lambda x: x[1].requires_grad, self.named_parameters()):
            if "bias" in name:
                bias_p.append(p)
            else:
                weight_p.append(p)
        return [{"params": weight_p}, {"params": bias_p, "weight_decay": 0}]


class BPRMF(BaseModel):
    def __init__(self, args, n_users, n_items):
        super().__init__(args)
        self.u_embeddings = nn.Embedding(n_users, args.emb_size)
        self.i_embeddings = nn.Embedding(n_items, args.emb_size)

    def forward(self, feed_dict):
        u = self.u_embeddings(feed_dict["user_id"])
        i = self.i_embeddings(feed_dict["item_id"])
        return {"prediction": (u[:, None, :] * i).sum(-1)}

    def loss(self, out_dict):
        pred = out_dict["prediction"]
        return -(pred[:, 0:1] - pred[:, 1:]).sigmoid().log().mean()
