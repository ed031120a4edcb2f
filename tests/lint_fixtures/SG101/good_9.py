# A factory that maps names to classes that decouple their decay or are SGD.
import torch


def get_optimizer_class(name):
    if name == "adamw":
        return torch.optim.AdamW
    if name == "sgd":
        return torch.optim.SGD
    raise ValueError(f"unknown optimizer {name}")


def build(model, cfg):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return get_optimizer_class(cfg.optimizer)(groups, lr=cfg.lr)
