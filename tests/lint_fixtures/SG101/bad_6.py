# The optimizer class is chosen through a variable; the Adam branch couples its decay.
import torch


def build(model, cfg):
    opt_cls = torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.SGD
    return opt_cls(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
