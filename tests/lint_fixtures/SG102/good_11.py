# The same bias-only split is complete when the model visibly has no normalization layer, no
# embedding and no 1-D parameter besides its biases.
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(4 * dim, dim)


model = MLP(256)
optimizer = torch.optim.AdamW(
    [
        {"params": [p for n, p in model.named_parameters() if "bias" not in n]},
        {"params": [p for n, p in model.named_parameters() if "bias" in n], "weight_decay": 0.0},
    ],
    lr=1e-3,
    weight_decay=0.1,
)
