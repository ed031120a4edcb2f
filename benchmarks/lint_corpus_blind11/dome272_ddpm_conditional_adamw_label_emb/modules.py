import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.GroupNorm(1, c_out),
            nn.GELU(),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
            nn.GroupNorm(1, c_out),
        )

    def forward(self, x):
        return F.gelu(self.block(x))


class UNet_conditional(nn.Module):
    def __init__(self, c_in=3, c_out=3, time_dim=256, num_classes=None):
        super().__init__()
        self.time_dim = time_dim
        self.inc = DoubleConv(c_in, 64)
        self.mid = DoubleConv(64, 64)
        self.time_proj = nn.Linear(time_dim, 64)
        self.outc = nn.Conv2d(64, c_out, kernel_size=1)
        if num_classes is not None:
            self.label_emb = nn.Embedding(num_classes, time_dim)

    def pos_encoding(self, t, channels):
        inv_freq = 1.0 / (10000 ** (torch.arange(0, channels, 2, device=t.device).float() / channels))
        return torch.cat([torch.sin(t * inv_freq), torch.cos(t * inv_freq)], dim=-1)

    def forward(self, x, t, y):
        t = self.pos_encoding(t.unsqueeze(-1).float(), self.time_dim)
        if y is not None:
            t = t + self.label_emb(y)
        h = self.inc(x) + self.time_proj(t)[:, :, None, None]
        return self.outc(self.mid(h))


class EMA:
    def __init__(self, beta):
        self.beta = beta

    @torch.no_grad()
    def step_ema(self, ema_model, model):
        for e, p in zip(ema_model.parameters(), model.parameters()):
            e.mul_(self.beta).add_(p, alpha=1 - self.beta)
