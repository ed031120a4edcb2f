"""Seed 000's weight-decay experiment, the fixed configuration (CPU, seconds).

AdamW (decoupled decay, not coupled L2: SG101) over `stepguard.param_groups(model, wd)`, which
leaves LayerNorm gains, biases and the positional embedding undecayed (SG102) and says why for
each tensor (`stepguard.groups._classify.classify`). The task is the seed's TinyTransformer task with two corrections: validation is
labelled by the same (W, b) as training (the seed draws a new one, so its validation accuracy is
chance) and the model has a learned positional embedding (without one it cannot tell its 5 tokens
apart). val_acc and norm|w| (mean |w| of the LayerNorm weights, init 1) hold up as the weight decay
grows; compare with examples/weight_decay_bug.py.

    .venv/bin/python examples/weight_decay_fix.py [--epochs 8]
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from torch import nn

from stepguard import param_groups

WEIGHT_DECAY = 0.1  # try 0.001, 0.01, 0.1, 1.0


class TinyTransformer(nn.Module):
    def __init__(self, d: int = 32, ncls: int = 5, nhead: int = 4, nl: int = 2) -> None:
        super().__init__()
        self.embed = nn.Linear(4, d)
        self.pos = nn.Embedding(5, d)  # not in the seed: without it the tokens are interchangeable
        layer = nn.TransformerEncoderLayer(
            d_model=d, nhead=nhead, dim_feedforward=2 * d, batch_first=True, norm_first=True
        )
        self.enc = nn.TransformerEncoder(layer, num_layers=nl, enable_nested_tensor=False)
        self.head = nn.Linear(d, ncls)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x.view(x.size(0), 5, 4)) + self.pos.weight
        return self.head(self.enc(h).mean(dim=1))


def make_data(n_train: int = 2000, n_val: int = 1000) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n_train + n_val, 20, generator=g)
    w, b = torch.randn(20, 5, generator=g), torch.randn(5, generator=g)
    y = (x @ w + b).argmax(dim=1)  # the same rule labels training and validation
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def norm_weight_mean_abs(model: nn.Module) -> float:
    ws = [m.weight.detach().abs().flatten() for m in model.modules() if isinstance(m, nn.LayerNorm)]
    return float(torch.cat(ws).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    args = ap.parse_args()
    torch.set_num_threads(1)  # a model this small gains nothing from more threads
    torch.manual_seed(0)
    x_tr, y_tr, x_va, y_va = make_data()
    model = TinyTransformer()
    # FIX: decoupled decay, only on the weights that should decay
    opt = torch.optim.AdamW(param_groups(model, weight_decay=WEIGHT_DECAY), lr=2e-3)
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(y_tr))
        for i in range(0, len(perm) - 127, 128):
            idx = perm[i : i + 128]
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        model.eval()
        with torch.no_grad():
            val_acc = float((model(x_va).argmax(1) == y_va).float().mean())
        print(
            f"[FIX] epoch={epoch:02d} val_acc={val_acc:.3f} norm|w|={norm_weight_mean_abs(model):.3f}"
        )


if __name__ == "__main__":
    main()
