import torch
import torch.nn as nn


class Embeddings(nn.Module):
    def __init__(self, hidden_size=768, n_patches=196, in_channels=1024):
        super().__init__()
        self.patch_embeddings = nn.Conv2d(in_channels, hidden_size, kernel_size=1)
        self.position_embeddings = nn.Parameter(torch.zeros(1, n_patches, hidden_size))

    def forward(self, x):
        x = self.patch_embeddings(x).flatten(2).transpose(-1, -2)
        return x + self.position_embeddings


class Block(nn.Module):
    def __init__(self, hidden_size=768, heads=12):
        super().__init__()
        self.attention_norm = nn.LayerNorm(hidden_size, eps=1e-6)
        self.attn = nn.MultiheadAttention(hidden_size, heads, batch_first=True)
        self.ffn_norm = nn.LayerNorm(hidden_size, eps=1e-6)
        self.ffn = nn.Sequential(nn.Linear(hidden_size, 3072), nn.GELU(), nn.Linear(3072, hidden_size))

    def forward(self, x):
        h = self.attention_norm(x)
        x = x + self.attn(h, h, h)[0]
        return x + self.ffn(self.ffn_norm(x))


class VisionTransformer(nn.Module):
    def __init__(self, num_classes=9, depth=12):
        super().__init__()
        self.embeddings = Embeddings()
        self.blocks = nn.ModuleList([Block() for _ in range(depth)])
        self.encoder_norm = nn.LayerNorm(768, eps=1e-6)
        self.segmentation_head = nn.Conv2d(768, num_classes, kernel_size=3, padding=1)

    def forward(self, x):
        h = self.embeddings(x)
        for blk in self.blocks:
            h = blk(h)
        h = self.encoder_norm(h)
        b, n, c = h.shape
        s = int(n**0.5)
        return self.segmentation_head(h.transpose(1, 2).reshape(b, c, s, s))
