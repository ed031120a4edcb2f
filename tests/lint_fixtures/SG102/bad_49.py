"""A name split over a model class of the file that builds an nn.Embedding: the pairs are bound
first, the list names norms by BERT's spelling, and the embedding table decays."""

import argparse

import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.LayerNorm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, dim)


parser = argparse.ArgumentParser()
parser.add_argument("--weight_decay", type=float, default=0.0)
args = parser.parse_args()

model = Encoder(30522, 256)
param_optimizer = list(model.named_parameters())
no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
groups = [
    {
        "params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)],
        "weight_decay": args.weight_decay,
    },
    {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=1e-4)
