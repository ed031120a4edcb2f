"""The Hugging Face run_glue recipe in a training function whose model its caller builds outside
the file: the no-decay list names BERT's `LayerNorm.weight` and no embedding, so (a transformers
model: every one has input embeddings) the word and position embeddings decay."""

import argparse

import torch
from torch.utils.data import DataLoader, RandomSampler
from transformers import AdamW, get_linear_schedule_with_warmup

from modeling_utils import load_model


def train(args, train_dataset, model):
    loader = DataLoader(train_dataset, sampler=RandomSampler(train_dataset), batch_size=args.batch_size)
    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = AdamW(grouped, lr=args.learning_rate)
    scheduler = get_linear_schedule_with_warmup(optimizer, 0, len(loader) * args.epochs)
    for _ in range(args.epochs):
        for batch in loader:
            loss = model(**batch)[0]
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--learning_rate", type=float, default=5e-5)
    p.add_argument("--weight_decay", type=float, default=0.0)
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    train(args, torch.load("train.pt"), load_model(args))
