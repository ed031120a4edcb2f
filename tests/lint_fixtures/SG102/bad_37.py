# A decay split by name that decays every parameter whose name ends in `weight`: the biases are
# exempt, but the LayerNorm gains and the residue embedding table are named `weight` too and decay.
import torch
from torch import nn

WEIGHT_DECAY = 1e-2


class ResidueEncoder(nn.Module):
    def __init__(self, vocab=25, dim=256):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)


def param_groups(model):
    exempt, decayed = [], []
    for name, param in model.named_parameters():
        if name.endswith("weight"):
            decayed.append(param)
        else:
            exempt.append(param)
    return [{"params": exempt, "weight_decay": 0.0}, {"params": decayed, "weight_decay": WEIGHT_DECAY}]


def main():
    model = ResidueEncoder()
    optimizer = torch.optim.AdamW(param_groups(model), lr=1e-4)
    return optimizer
