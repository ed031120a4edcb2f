# The decayed group holds a submodule built from a weight matrix alone (bias=False); the group
# with the norm and the biases has no decay.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(64, 64, bias=False)
        self.norm = nn.LayerNorm(64)
        self.head = nn.Linear(64, 10)


model = Net()
optimizer = torch.optim.AdamW(
    [
        dict(params=model.proj.parameters(), weight_decay=0.05),
        dict(params=[*model.norm.parameters(), *model.head.parameters()], weight_decay=0.0),
    ],
    lr=3e-4,
)
