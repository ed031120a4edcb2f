import torch.nn as nn


class Generator(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Conv1d(1, 32, 7, padding=3), nn.GroupNorm(1, 32), nn.Conv1d(32, 1, 7, padding=3))


class Discriminator(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Conv1d(1, 16, 15, stride=4), nn.LeakyReLU(0.2), nn.Conv1d(16, 1, 3))
