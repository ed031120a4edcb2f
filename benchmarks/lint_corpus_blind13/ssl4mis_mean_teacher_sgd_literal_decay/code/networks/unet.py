import torch
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels, dropout_p):
        super().__init__()
        self.conv_conv = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.LeakyReLU(),
            nn.Dropout(dropout_p),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.LeakyReLU(),
        )

    def forward(self, x):
        return self.conv_conv(x)


class UNet(nn.Module):
    def __init__(self, in_chns, class_num):
        super().__init__()
        self.in_conv = ConvBlock(in_chns, 16, 0.05)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), ConvBlock(16, 32, 0.1))
        self.up = nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2)
        self.dec = ConvBlock(32, 16, 0.0)
        self.out_conv = nn.Conv2d(16, class_num, kernel_size=3, padding=1)

    def forward(self, x):
        x0 = self.in_conv(x)
        x1 = self.down1(x0)
        x = self.dec(torch.cat([x0, self.up(x1)], dim=1))
        return self.out_conv(x)
