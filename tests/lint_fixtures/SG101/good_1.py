# Seed 000's fix: AdamW with a decay and a no-decay group.
import torch


def split_decay(model, wd=0.01):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if n.endswith(".bias") or "norm" in n.lower():
            no_decay.append(p)
        else:
            decay.append(p)
    return [
        {"params": decay, "weight_decay": wd},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def run(model):
    return torch.optim.AdamW(split_decay(model), lr=3e-4, weight_decay=1e-2)
