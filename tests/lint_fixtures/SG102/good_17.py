# Biases split off first, then norm weights by a second test: the decayed list holds neither. The
# same with a per-module walk and the norm layers recognised by type.
import torch
from torch import nn


def build_by_name(model, lr, wd=5e-4):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if "bias" in n:
            no_decay.append(p)
        elif "norm" in n or p.ndim == 1:
            no_decay.append(p)
        else:
            decay.append(p)
    return torch.optim.SGD([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}], lr=lr)


def build_by_module(model, lr, wd=5e-4):
    decay, no_decay = [], []
    for _, module in model.named_modules():
        for name, p in module.named_parameters(recurse=False):
            if name == "bias":
                no_decay.append(p)
            elif isinstance(module, (nn.BatchNorm2d, nn.LayerNorm, nn.Embedding)):
                no_decay.append(p)
            else:
                decay.append(p)
    return torch.optim.SGD([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}], lr=lr)


def build_skipping(model, lr, wd=5e-4):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.ndim < 2:
            no_decay.append(p)
            continue
        if n.endswith(".bias"):
            no_decay.append(p)
        else:
            decay.append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}], lr=lr)
