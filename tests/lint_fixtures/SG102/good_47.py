"""The conditional-expression split by number of dimensions over a model without embeddings:
the norms and biases are 1-D and kept out, the decayed list holds weight matrices only."""

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.norm = nn.LayerNorm(4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)


model = MLP(256)
decay, scales = [], []
for parameter in model.parameters():
    (decay if parameter.ndim >= 2 else scales).append(parameter)
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": scales, "weight_decay": 0.0}], lr=3e-4
)
