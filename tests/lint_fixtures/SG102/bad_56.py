"""DeepSpeed builds AdamW from the config dict a function of the file returns; its weight_decay
applies to one group, every parameter of the model (model_parameters=model.parameters())."""

import deepspeed
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)


def make_ds_config(weight_decay=0.1):
    return {
        "train_batch_size": 64,
        "optimizer": {"type": "AdamW", "params": {"lr": 3e-4, "weight_decay": weight_decay}},
    }


def train():
    model = LM(49152, 576)
    engine, optimizer, _, _ = deepspeed.initialize(
        model=model, model_parameters=model.parameters(), config=make_ds_config()
    )
    return engine, optimizer
