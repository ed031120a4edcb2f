# weight_decay passed through a keyword dict.
import torch


def build(model, args):
    opt_kwargs = dict(lr=args.lr, betas=(0.9, 0.95))
    opt_kwargs["weight_decay"] = args.weight_decay
    return torch.optim.Adam(model.parameters(), **opt_kwargs)
