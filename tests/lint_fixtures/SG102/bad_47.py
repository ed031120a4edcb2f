"""Two optimizers over a split by number of dimensions: the one over the 2-D list decays, and
the model's token embedding is 2-D."""

import torch
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.proj = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)


model = LM(32000, 512)
matrices = [p for p in model.parameters() if p.ndim >= 2]
vectors = [p for p in model.parameters() if p.ndim < 2]
opt_matrices = torch.optim.AdamW(matrices, lr=3e-4, weight_decay=0.1)
opt_vectors = torch.optim.AdamW(vectors, lr=3e-4, weight_decay=0.0)
