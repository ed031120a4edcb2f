import torch.nn as nn
import torch.optim as optim


class Generator(nn.Module):
    def __init__(self, G_lr=5e-5, G_B1=0.0, G_B2=0.999, adam_eps=1e-8, n_classes=1000, shared_dim=128):
        super().__init__()
        self.shared = nn.Embedding(n_classes, shared_dim)
        self.linear = nn.Linear(shared_dim + 20, 4 * 4 * 256)
        self.output_layer = nn.Sequential(nn.BatchNorm2d(256), nn.ReLU(), nn.Conv2d(256, 3, 3, padding=1))
        self.optim = optim.Adam(params=self.parameters(), lr=G_lr, betas=(G_B1, G_B2), weight_decay=0, eps=adam_eps)


class Discriminator(nn.Module):
    def __init__(self, D_lr=2e-4, D_B1=0.0, D_B2=0.999, adam_eps=1e-8):
        super().__init__()
        self.blocks = nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 128, 3, padding=1))
        self.linear = nn.Linear(128, 1)
        self.optim = optim.Adam(params=self.parameters(), lr=D_lr, betas=(D_B1, D_B2), weight_decay=0, eps=adam_eps)
