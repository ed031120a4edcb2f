"""A rank split filled in a loop over a model whose submodule class builds the embedding."""

import torch
import torch.nn as nn


class TokenEmbedding(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.table = nn.Embedding(vocab, dim)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = TokenEmbedding(32000, 512)
        self.proj = nn.Linear(512, 512)
        self.norm = nn.LayerNorm(512)


def build_optimizer(model, lr):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2:
            no_decay.append(p)
        if p.ndim >= 2:
            decay.append(p)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )


optimizer = build_optimizer(Encoder(), 3e-4)
