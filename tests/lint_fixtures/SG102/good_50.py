"""A hand-written AdamW class of the file whose weight_decay defaults to 0: built without one,
it decays nothing."""

import torch
import torch.nn as nn


class AdamW(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))


class TinyLM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)


model = TinyLM(1000, 64)
optimizer = AdamW(model.parameters(), lr=3e-4)
