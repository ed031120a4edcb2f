import torch
import torch.nn as nn


class GWNet(nn.Module):
    def __init__(self, device, num_nodes, dropout=0.3, supports=None, in_dim=2, out_dim=12, residual_channels=32, apt_size=10):
        super().__init__()
        self.nodevec1 = nn.Parameter(torch.randn(num_nodes, apt_size))
        self.nodevec2 = nn.Parameter(torch.randn(apt_size, num_nodes))
        self.start_conv = nn.Conv2d(in_dim, residual_channels, kernel_size=(1, 1))
        self.bn = nn.BatchNorm2d(residual_channels)
        self.end_conv = nn.Conv2d(residual_channels, out_dim, kernel_size=(1, 1), bias=True)

    def forward(self, x):
        return self.end_conv(self.bn(self.start_conv(x)).relu())
