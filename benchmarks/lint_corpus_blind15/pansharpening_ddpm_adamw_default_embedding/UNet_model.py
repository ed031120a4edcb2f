import torch
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self, in_ch, out_ch, time_emb_dim):
        super().__init__()
        self.time_mlp = nn.Sequential(nn.Linear(time_emb_dim, out_ch), nn.SiLU(), nn.Linear(out_ch, out_ch))
        self.conv1 = nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=True), nn.BatchNorm2d(out_ch), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=True), nn.BatchNorm2d(out_ch), nn.ReLU())
        self.transform = nn.Conv2d(out_ch, out_ch, 4, stride=2, padding=1, bias=True)

    def forward(self, x, t):
        h = self.conv1(x) + self.time_mlp(t)[..., None, None]
        return self.transform(self.conv2(h))


class SimpleUNet(nn.Module):
    def __init__(self, starting_width, num_classes=10, image_channels=3, out_dim=3):
        super().__init__()
        self.time_emb_dim = 100
        self.conv0 = nn.Conv2d(image_channels, 16, 3, padding=1)
        self.downs = nn.ModuleList([ConvBlock(16, 32, 100), ConvBlock(32, 64, 100), ConvBlock(64, 128, 100)])
        self.output = nn.Conv2d(16, out_dim, 1)
        if num_classes is not None:
            self.label_emb = nn.Embedding(num_classes, self.time_emb_dim)

    def forward(self, x, timestep, y=None):
        t = timestep.float().unsqueeze(-1).repeat(1, self.time_emb_dim)
        if y is not None:
            t = t + self.label_emb(y)
        x = self.conv0(x)
        for down in self.downs:
            x = down(x, t)
        return self.output(x)
