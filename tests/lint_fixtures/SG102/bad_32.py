# The no-decay names are collected only when a flag asks for it; the flag is off by default, so the
# list stays empty and the "decay" group holds every parameter, norms and embeddings included.
import argparse

import torch


def main(model, loader):
    parser = argparse.ArgumentParser()
    parser.add_argument("--weight_decay", type=float, default=0.1)
    parser.add_argument("--no_decay_norms", action="store_true")
    args = parser.parse_args()
    skip = []
    if args.no_decay_norms:
        for mn, m in model.named_modules():
            for pn, _ in m.named_parameters(recurse=False):
                if pn.endswith("bias") or isinstance(m, (torch.nn.LayerNorm, torch.nn.Embedding)):
                    skip.append(f"{mn}.{pn}")
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
