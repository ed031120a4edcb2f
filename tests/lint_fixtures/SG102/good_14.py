# A split by name at two learning rates over a model built from bias-free linear layers only, and
# a split whose head side has no decay: nothing that must not decay is decayed.
import torch
from torch import nn


class Mixer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.encoder = nn.Linear(dim, dim, bias=False)
        self.head = nn.Linear(dim, dim, bias=False)
        self.act = nn.GELU()


def build(dim, lr):
    model = Mixer(dim)
    groups = [
        {"params": [p for n, p in model.named_parameters() if n.startswith("encoder")], "lr": lr * 0.1},
        {"params": [p for n, p in model.named_parameters() if not n.startswith("encoder")]},
    ]
    return torch.optim.AdamW(groups, lr=lr, weight_decay=0.05)


def build_frozen_side(model, lr):
    groups = [
        {"params": [p for n, p in model.named_parameters() if "backbone" in n], "weight_decay": 0.0},
        {"params": [p for n, p in model.named_parameters() if "backbone" not in n], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr)
