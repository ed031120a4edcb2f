"""The BERT no-decay list over a model the file cannot see, in a project that imports no Hugging
Face library (its own BERT4Rec): nothing says the model has embeddings, so the rule stays silent."""

import torch

from model import BERT4Rec


def build(args, model):
    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(grouped, lr=args.lr)


def main(args):
    return build(args, BERT4Rec(args).cuda())
