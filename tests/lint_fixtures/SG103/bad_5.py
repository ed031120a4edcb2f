# An L2 term through a model method, added to a loss while the optimizer decays too.
import torch
from torch import nn


class Regressor(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.linear = nn.Linear(d, 1)

    def forward(self, x):
        return self.linear(x)

    def l2(self):
        return sum((p**2).sum() for p in self.parameters())


def train(loader, d, lam=1e-4):
    model = Regressor(d)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4)
    for x, y in loader:
        loss = nn.functional.mse_loss(model(x), y) + model.l2() * lam
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
