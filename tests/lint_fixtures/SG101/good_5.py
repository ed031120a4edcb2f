# The classes chosen at run time decouple their decay (or take none), and a keyword dict with no
# weight_decay keeps Adam's default of 0.
import torch


def build(model, cfg):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    opt_cls = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.SGD
    return opt_cls(groups, lr=cfg.lr)


def build_plain(model, lr):
    opt_kwargs = {"lr": lr, "betas": (0.9, 0.99)}
    return torch.optim.Adam(model.parameters(), **opt_kwargs)
