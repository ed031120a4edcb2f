# Per-module learning rates only, and no weight decay at all: nothing decays.
import torch


def build_lr_groups(model, lrs):
    groups = []
    for name, lr in lrs.items():
        groups.append({"params": list(getattr(model, name).parameters()), "lr": lr})
    return groups


def make_optimizer(model, lrs):
    param_groups = build_lr_groups(model, lrs)
    return torch.optim.AdamW(param_groups, lr=1e-4, weight_decay=0.0)
