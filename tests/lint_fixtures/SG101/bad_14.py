# The optimizer is configured once as a partial (its hyperparameters bound up front) and built
# later on the model's parameter groups: Adam with a bound weight_decay is coupled L2.
import functools

import torch


def make_optimizer_fn(lr=3e-4, weight_decay=0.05):
    return functools.partial(torch.optim.Adam, lr=lr, weight_decay=weight_decay)


def build(model, lr=3e-4, weight_decay=0.05):
    optimizer_fn = functools.partial(torch.optim.Adam, lr=lr, betas=(0.9, 0.95), weight_decay=weight_decay)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    return optimizer_fn([{"params": decay}, {"params": rest, "weight_decay": 0.0}])
