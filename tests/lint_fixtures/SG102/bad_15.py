# A no-decay list with only "bias" in it, for a model with LayerNorm and an embedding.
import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, dim)


model = Encoder(32000, 512)
no_decay = ["bias"]
optimizer = torch.optim.AdamW(
    [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)]},
        {
            "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
            "weight_decay": 0.0,
        },
    ],
    lr=3e-4,
    weight_decay=0.05,
)
