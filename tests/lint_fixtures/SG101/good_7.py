# A registry of optimizer classes whose every entry decouples its decay or is SGD; and a registry
# lookup with a constant key that picks AdamW.
import torch

OPTIMIZERS = {"adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
FACTORIES = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def build(model, cfg):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return OPTIMIZERS[cfg.optimizer](groups, lr=cfg.lr)


def build_fixed(model, cfg):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    opt_cls = FACTORIES["adamw"]
    return opt_cls(groups, lr=cfg.lr)
