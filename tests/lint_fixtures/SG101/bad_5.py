# Config objects, dict entries and function parameters: the decay is only known at run time.
from torch.optim import Adam, RAdam, RMSprop


def build(model, wd):
    return Adam(model.parameters(), lr=1e-3, weight_decay=wd)


def build_from_config(model, cfg):
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [
        {"params": decay, "weight_decay": cfg.optim.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return RAdam(groups, lr=cfg.optim.lr)


def build_rms(model, hp):
    return RMSprop(model.parameters(), lr=1e-2, weight_decay=hp["weight_decay"])


def make(model, weight_decay=0.0):
    # The default is 0, but the call below passes 1e-4: the decay is not provably 0.
    return Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay)


def main(model):
    return make(model, weight_decay=1e-4)
