"""PicoLLM's split by number of dimensions: each parameter goes to one of two lists through a
conditional expression; the 2-D token embedding lands in the decayed list."""

import torch
import torch.nn as nn


class PicoLM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.output = nn.Linear(dim, vocab, bias=False)


def optimizer_for(model, weight_decay=0.1):
    decay, scales = [], []
    for parameter in model.parameters():
        (decay if parameter.ndim >= 2 else scales).append(parameter)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": weight_decay}, {"params": scales, "weight_decay": 0.0}],
        lr=3e-4,
    )


def main():
    model = PicoLM(32000, 512).to("cuda")
    return optimizer_for(model)
