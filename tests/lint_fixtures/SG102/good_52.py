"""A BERT-style no-decay list in a transformers script, but over a model the file builds: a class
of the file with a norm named like BERT's and no embedding table. Biases and norms stay out."""

import torch
from torch import nn
from transformers import get_linear_schedule_with_warmup


class Head(nn.Module):
    def __init__(self, dim, classes):
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        self.LayerNorm = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, classes)

    def forward(self, x):
        return self.out(self.LayerNorm(torch.tanh(self.dense(x))))


def build(features, steps):
    model = Head(768, 2)
    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(grouped, lr=1e-3)
    return optimizer, get_linear_schedule_with_warmup(optimizer, 0, steps)
