# The no-decay names always hold the biases and norms; the flag only adds the embeddings: silent.
import argparse

import torch


def main(model, loader):
    parser = argparse.ArgumentParser()
    parser.add_argument("--weight_decay", type=float, default=0.1)
    parser.add_argument("--no_decay_embeddings", action="store_true")
    args = parser.parse_args()
    skip = ["bias", "norm"]
    if args.no_decay_embeddings:
        skip.append("embed")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(s in n for s in skip)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(s in n for s in skip)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=3e-4)
    for x, y in loader:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
