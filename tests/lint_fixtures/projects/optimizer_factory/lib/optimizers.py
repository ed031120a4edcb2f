"""Optimizers by name; the param groups (and their weight decay) come from the caller."""

import torch


def get_optimizer(name, params, lr, **kwargs):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, **kwargs)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, **kwargs)
    raise ValueError(f"unknown optimizer: {name}")
