# Partials that bind a decoupled optimizer: AdamW, and NAdam with its decoupling flag on.
from functools import partial

import torch


def build(model, lr=3e-4, weight_decay=0.05):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay}, {"params": rest, "weight_decay": 0.0}]
    adamw_fn = partial(torch.optim.AdamW, lr=lr, weight_decay=weight_decay)
    nadam_fn = partial(torch.optim.NAdam, lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True)
    return adamw_fn(groups), nadam_fn(groups)
