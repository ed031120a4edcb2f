"""Two optimizers over a split by number of dimensions over a model without an embedding: the
2-D list holds weight matrices only."""

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)


model = MLP(512)
matrices = [p for p in model.parameters() if p.ndim >= 2]
vectors = [p for p in model.parameters() if p.ndim < 2]
opt_matrices = torch.optim.AdamW(matrices, lr=3e-4, weight_decay=0.1)
opt_vectors = torch.optim.AdamW(vectors, lr=3e-4, weight_decay=0.0)
