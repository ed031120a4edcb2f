# timm's add_weight_decay keeps only 1-D tensors and a skip list out of decay; with no skip list,
# the token embedding table of this model (2-D) is decayed.
import timm.optim.optim_factory as optim_factory
import torch
from torch import nn


class GeneEncoder(nn.Module):
    def __init__(self, vocab, dim=256):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, dim)


def main(vocab):
    model = GeneEncoder(vocab).cuda()
    param_groups = optim_factory.add_weight_decay(model, 0.05)
    optimizer = torch.optim.AdamW(param_groups, lr=1e-3, betas=(0.9, 0.95))
    return optimizer
