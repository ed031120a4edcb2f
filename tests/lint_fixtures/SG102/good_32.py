# The same split, with the embedding table named in the skip list: it is kept out of decay.
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
    param_groups = optim_factory.add_weight_decay(model, 0.05, skip_list=("tokens.weight",))
    optimizer = torch.optim.AdamW(param_groups, lr=1e-3, betas=(0.9, 0.95))
    return optimizer
