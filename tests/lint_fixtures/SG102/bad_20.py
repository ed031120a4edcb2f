# Hugging Face-style grouped parameters built by a helper: its no-decay list names the biases only,
# so the LayerNorm and embedding weights of the model land in the decayed group.
import argparse

import torch
from torch import nn


class TextEncoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.dense = nn.Linear(dim, dim)


def get_optimizer_grouped_parameters(model, weight_decay, no_decay_name_list=("bias",)):
    return [
        {
            "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay_name_list)],
            "weight_decay": weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay_name_list)],
            "weight_decay": 0.0,
        },
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weight_decay", type=float, default=0.01)
    args = parser.parse_args()
    model = TextEncoder(30522, 768)
    groups = get_optimizer_grouped_parameters(model, args.weight_decay)
    return torch.optim.AdamW(groups, lr=5e-5)
