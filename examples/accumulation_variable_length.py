"""Gradient accumulation over variable-length sequences, weighted by tokens (SG207 fixed).

Padded positions carry the label -100 and are ignored. Averaging per-micro-batch token means
gives a short micro-batch's tokens more weight than a long one's; the big-batch loss is the mean
over all tokens of the window. `Accumulator(items=count_tokens)` looks each window ahead, counts
its tokens (on all ranks under DDP), and scales each SUM-reduced micro-batch loss by that count.

First `check_accumulation` shows the problem on this model; then we train the fixed way.

    .venv/bin/python examples/accumulation_variable_length.py [--steps 60] [--accum 4]
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from torch import nn

from stepguard import Accumulator, check_accumulation, param_groups

VOCAB, MAX_LEN, PAD = 32, 24, -100


class TinyLM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32)
        self.rnn = nn.GRU(32, 64, batch_first=True)
        self.head = nn.Linear(64, VOCAB)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(self.emb(tokens))[0])


def make_batches(n: int, per_batch: int = 8, seed: int = 0) -> list[dict[str, torch.Tensor]]:
    """Next-token task on sequences t, t+3, t+6, ... (mod VOCAB) of random lengths 2..MAX_LEN."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        lengths = torch.randint(2, MAX_LEN + 1, (per_batch,), generator=g)
        start = torch.randint(0, VOCAB, (per_batch, 1), generator=g)
        seq = (start + 3 * torch.arange(MAX_LEN + 1)) % VOCAB
        labels = seq[:, 1:].clone()
        labels[torch.arange(MAX_LEN) >= lengths.view(-1, 1) - 1] = PAD  # padding is not a target
        out.append({"input_ids": seq[:, :-1], "labels": labels})
    return out


def count_tokens(batch: dict[str, torch.Tensor]) -> int:
    return int((batch["labels"] != PAD).sum())


def loss_sum(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    logits = model(batch["input_ids"])
    return F.cross_entropy(
        logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=PAD, reduction="sum"
    )


def loss_mean(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    return loss_sum(model, batch) / count_tokens(batch)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60, help="optimizer steps")
    ap.add_argument("--accum", type=int, default=4)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = TinyLM()
    batches = make_batches(args.steps * args.accum)

    # What per-micro-batch token means would do to one window (computed on copies).
    window = {k: torch.cat([b[k] for b in batches[: args.accum]]) for k in batches[0]}
    print(check_accumulation(model, loss_mean, window, steps=args.accum, items=count_tokens))

    optimizer = torch.optim.AdamW(param_groups(model, weight_decay=0.01), lr=3e-3)
    acc = Accumulator(model, optimizer, steps=args.accum, items=count_tokens, clip_grad_norm=1.0)
    for batch in acc.iterate(batches):
        if acc.backward(loss_sum(model, batch)) and acc.optimizer_steps % 10 == 0:
            with torch.no_grad():
                mean = float(loss_sum(model, batch)) / count_tokens(batch)
            print(f"step {acc.optimizer_steps:3d}  token-mean loss {mean:.3f}")
    print(f"optimizer steps={acc.optimizer_steps}, micro-batches={acc.micro_steps}")


if __name__ == "__main__":
    main()
