# A weight_decay parameter whose only values in this file are 0 (its default, what the calls
# pass): Adam decays nothing. The decay the user configures goes to AdamW, with a no-decay group.
import argparse

import torch

NO_DECAY = 0.0


def build(model, wd=0.0):
    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=wd)


def build_rms(model, *, wd=NO_DECAY):
    return torch.optim.RMSprop(model.parameters(), lr=1e-3, weight_decay=wd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weight-decay", type=float, default=0.05)
    args = ap.parse_args()
    model = torch.nn.Linear(4, 2)
    probe = build(model)
    probe_again = build(model, 0.0)
    rms = build_rms(model, wd=0)
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=1e-3,
    )
    return probe, probe_again, rms, optimizer
