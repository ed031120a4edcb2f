"""Paraphrase of fourier_2d.py (zongyi-li/fourier_neural_operator): FNO on 2-D Darcy flow."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from utilities import LpLoss, SpectralConv2d


class SimpleBlock2d(nn.Module):
    def __init__(self, modes1, modes2, width):
        super().__init__()
        self.fc0 = nn.Linear(3, width)
        self.conv0 = SpectralConv2d(width, width, modes1, modes2)
        self.w0 = nn.Conv1d(width, width, 1)
        self.bn0 = torch.nn.BatchNorm2d(width)
        self.fc1 = nn.Linear(width, 128)
        self.fc2 = nn.Linear(128, 1)

    def forward(self, x):
        b, sx, sy = x.shape[0], x.shape[1], x.shape[2]
        x = self.fc0(x).permute(0, 3, 1, 2)
        x = self.bn0(self.conv0(x) + self.w0(x.view(b, x.shape[1], -1)).view(b, -1, sx, sy))
        x = F.relu(x).permute(0, 2, 3, 1)
        return self.fc2(F.relu(self.fc1(x)))


ntrain = 1000
batch_size = 20
learning_rate = 0.001
epochs = 500
step_size = 100
gamma = 0.5
modes = 12
width = 32


def train(train_loader, y_normalizer):
    model = SimpleBlock2d(modes, modes, width)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    myloss = LpLoss(size_average=False)
    for ep in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            out = y_normalizer.decode(model(x))
            y = y_normalizer.decode(y)
            loss = myloss(out.view(batch_size, -1), y.view(batch_size, -1))
            loss.backward()
            optimizer.step()
        scheduler.step()
