import torch
import torch.nn as nn


class NeRF(nn.Module):
    def __init__(self, D=8, W=256, in_channels_xyz=63, in_channels_dir=27, skips=(4,)):
        super().__init__()
        self.skips = skips
        layers = []
        for i in range(D):
            if i == 0:
                layers.append(nn.Linear(in_channels_xyz, W))
            elif i in skips:
                layers.append(nn.Linear(W + in_channels_xyz, W))
            else:
                layers.append(nn.Linear(W, W))
        self.xyz_layers = nn.ModuleList(layers)
        self.sigma = nn.Linear(W, 1)
        self.dir_encoding = nn.Sequential(nn.Linear(W + in_channels_dir, W // 2), nn.ReLU(True))
        self.rgb = nn.Sequential(nn.Linear(W // 2, 3), nn.Sigmoid())

    def forward(self, x_xyz, x_dir):
        h = x_xyz
        for i, layer in enumerate(self.xyz_layers):
            if i in self.skips:
                h = torch.cat([x_xyz, h], -1)
            h = torch.relu(layer(h))
        sigma = self.sigma(h)
        rgb = self.rgb(self.dir_encoding(torch.cat([h, x_dir], -1)))
        return torch.cat([rgb, sigma], -1)
