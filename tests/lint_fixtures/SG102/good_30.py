# The same split over a model whose norms are registered as `LayerNorm` (BERT's naming): the names
# match, the norms are kept out of decay.
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.LayerNorm = nn.LayerNorm(dim)
        self.dense = nn.Linear(dim, dim)


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
