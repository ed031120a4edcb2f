"""The BERT no-decay list over a model the file cannot see (a parameter no call of the file
passes): whether it holds embeddings is not known, so the linter stays silent."""

import torch


def build_optimizer(model, weight_decay=0.01):
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
            "weight_decay": weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=5e-5)
