# The model has no bias, normalization or embedding parameter: decaying all of them is fine.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden, bias=False)
        self.fc2 = nn.Linear(d_hidden, d_out, bias=False)
        self.scale = nn.Parameter(torch.ones(d_out, d_hidden))

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = Net(784, 256, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)
