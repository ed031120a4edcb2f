# BERT's no-decay names over a model of the file whose norms are called `ln_attn` / `ln_ffn`:
# "LayerNorm.weight" matches none of them, so every norm gain is decayed (the model is compiled
# and wrapped before the groups are built from the unwrapped module).
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.ln_attn = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, 8, batch_first=True)
        self.ln_ffn = nn.LayerNorm(dim)
        self.ffn = nn.Linear(dim, dim)


class Encoder(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])


def grouped(model, weight_decay):
    no_decay = ["bias", "LayerNorm.weight"]
    return [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]


model = Encoder(512, 6)
model = torch.compile(model)
optimizer = torch.optim.AdamW(grouped(model, 0.1), lr=3e-4)
