# A group that holds every parameter of a submodule (its biases and norms included) decays; the
# other group's weight_decay=0 does not help them.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3)
        self.bn1 = nn.BatchNorm2d(16)
        self.head = nn.Linear(16, 10)


model = Net()
optimizer = torch.optim.SGD(
    [
        {"params": model.conv1.parameters(), "weight_decay": 5e-4},
        {"params": model.head.parameters(), "weight_decay": 0.0},
    ],
    lr=0.1,
    momentum=0.9,
)
