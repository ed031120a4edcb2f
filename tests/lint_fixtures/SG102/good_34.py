# The same split by `"weight" in name` over a model of linear layers only: the weights are matrices,
# the biases are exempt, and there is no norm or embedding to decay.
import torch
from torch import nn

WEIGHT_DECAY = 1e-2


class Regressor(nn.Module):
    def __init__(self, dim=256):
        super().__init__()
        self.hidden = nn.Linear(dim, dim)
        self.act = nn.GELU()
        self.out = nn.Linear(dim, 1)


def param_groups(model):
    exempt, decayed = [], []
    for name, param in model.named_parameters():
        if "weight" in name:
            decayed.append(param)
        else:
            exempt.append(param)
    return [{"params": exempt, "weight_decay": 0.0}, {"params": decayed, "weight_decay": WEIGHT_DECAY}]


def main():
    model = Regressor()
    optimizer = torch.optim.AdamW(param_groups(model), lr=1e-4)
    return optimizer
