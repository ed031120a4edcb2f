"""The decay comes from a module-level dict constant: TRAIN_CFG["weight_decay"] is 0.01, and
AdamW decays every parameter of a model whose class holds a LayerNorm and an embedding."""

import torch
import torch.nn as nn

TRAIN_CFG = {
    "lr": 3e-4,
    "weight_decay": 1e-2,
}


class TinyLM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)


def main():
    model = TinyLM(50257, 256)
    optimizer = torch.optim.AdamW(model.parameters(), lr=TRAIN_CFG["lr"], weight_decay=TRAIN_CFG["weight_decay"])
    return optimizer
