"""Weight-decay experiment (seeds 000-002): coupled L2 and decay on norms/biases vs the fix.

Three optimizer configurations, swept over weight decay and seeds, on two tasks:

* ``transformer`` -- the seed's TinyTransformer task (20 Gaussian features read as 5 tokens of 4,
  labels ``argmax(X @ W + b)``), scaled down to run on a CPU in seconds, with two corrections the
  report states: validation is labelled by the SAME ``(W, b)`` as training (the seed draws a new
  one, so its validation accuracy is chance), and a learned positional embedding (without one the
  model's logits are invariant to permuting the tokens and it barely learns; `permutation_check`
  measures that).
* ``digits`` -- `sklearn.datasets.load_digits` (ships offline) with a small MLP that has LayerNorm
  layers and biases.

Configurations: ``bug`` = Adam(weight_decay=wd) on all parameters (coupled L2, decay on norms and
biases); ``adamw_all`` = AdamW(weight_decay=wd) on all parameters; ``fix`` = AdamW over
`stepguard.groups._classify.param_groups(model, wd)`. Every run records, per epoch: train/val accuracy
and loss, mean |w| of normalization-layer weights, mean |b| of biases.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from stepguard.groups import param_groups

__all__ = [
    "CONFIGS",
    "CONFIG_LABELS",
    "DigitsMLP",
    "TaskSettings",
    "TinyTransformer",
    "make_optimizer",
    "permutation_check",
    "run_one",
    "weight_stats",
]

CONFIGS = ("bug", "adamw_all", "fix")
CONFIG_LABELS = {
    "bug": "BUG: Adam + weight_decay on all params",
    "adamw_all": "AdamW on all params",
    "fix": "FIX: AdamW + stepguard.param_groups",
}
_NORMS = (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._NormBase, nn.RMSNorm)


@dataclass(frozen=True)
class TaskSettings:
    """One task's model, data and training settings (everything a run depends on besides config,
    weight decay and seed)."""

    task: str  # "transformer" | "digits" | "transformer_seed" (the seed's exact settings)
    epochs: int
    lr: float
    batch_size: int
    n_train: int = 0  # transformer only; digits uses its 1797 images
    n_val: int = 0
    d_model: int = 32
    ff: int = 64
    positional: bool = True
    dropout: float = 0.1
    hidden: int = 64  # digits MLP width
    clip: float = 1.0  # the seed clips at 1.0 in every configuration
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return asdict(self)


class TinyTransformer(nn.Module):
    """The seed's TinyTransformer: x[B, 20] -> 5 tokens of 4 -> Linear(4, d) -> pre-norm
    `nn.TransformerEncoder` -> mean over tokens -> Linear(d, classes). `positional=True` adds a
    learned positional `nn.Embedding(5, d)` (the seed has none)."""

    def __init__(
        self,
        d: int = 128,
        ff: int = 256,
        nhead: int = 4,
        layers: int = 2,
        classes: int = 5,
        positional: bool = False,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.embed = nn.Linear(4, d)
        self.pos = nn.Embedding(5, d) if positional else None
        layer = nn.TransformerEncoderLayer(
            d, nhead, dim_feedforward=ff, dropout=dropout, batch_first=True, norm_first=True
        )
        self.enc = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x.view(x.size(0), 5, 4))
        if self.pos is not None:
            h = h + self.pos.weight
        return self.head(self.enc(h).mean(dim=1))


class DigitsMLP(nn.Module):
    """64 pixels -> [Linear -> LayerNorm -> ReLU] x 2 -> Linear(10): norms and biases to decay."""

    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, hidden),
            nn.LayerNorm(hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.LayerNorm(hidden),
            nn.ReLU(),
            nn.Linear(hidden, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def make_optimizer(
    config: str, model: nn.Module, lr: float, weight_decay: float
) -> torch.optim.Optimizer:
    """The optimizer of configuration `config` (one of `CONFIGS`) for `model`."""
    if config == "bug":
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    if config == "adamw_all":
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    if config == "fix":
        return torch.optim.AdamW(param_groups(model, weight_decay=weight_decay), lr=lr)
    raise ValueError(f"unknown configuration {config!r}; use one of {', '.join(CONFIGS)}")


def weight_stats(model: nn.Module) -> dict[str, float]:
    """Mean |w| over all normalization-layer weights (init 1), mean |b| over all biases, and the
    seed's `norm|w|` (mean L2 norm of the norm-layer weight vectors)."""
    norm_w: list[torch.Tensor] = []
    biases: list[torch.Tensor] = []
    with torch.no_grad():
        for module in model.modules():
            weight = getattr(module, "weight", None)
            if isinstance(module, _NORMS) and isinstance(weight, torch.Tensor):
                norm_w.append(weight.detach().flatten())
            for name, p in module.named_parameters(recurse=False):
                if name.endswith("bias"):
                    biases.append(p.detach().flatten())
        return {
            "norm_w_abs": float(torch.cat(norm_w).abs().mean()) if norm_w else math.nan,
            "norm_w_l2": float(torch.stack([w.norm() for w in norm_w]).mean())
            if norm_w
            else math.nan,
            "bias_abs": float(torch.cat(biases).abs().mean()) if biases else math.nan,
        }


def _transformer_data(settings: TaskSettings, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(1000 + seed)
    n = settings.n_train + settings.n_val
    x = torch.randn(n, 20, generator=g)
    w, b = torch.randn(20, 5, generator=g), torch.randn(5, generator=g)
    y = (x @ w + b).argmax(dim=1)
    # The seed labels its validation set with a fresh (W', b'): measure how often that agrees.
    w2, b2 = torch.randn(20, 5, generator=g), torch.randn(5, generator=g)
    agree = ((x[settings.n_train :] @ w2 + b2).argmax(dim=1) == y[settings.n_train :]).float()
    return {
        "x_train": x[: settings.n_train],
        "y_train": y[: settings.n_train],
        "x_val": x[settings.n_train :],
        "y_val": y[settings.n_train :],
        "seed_val_label_agreement": agree.mean(),
    }


_DIGITS: tuple[torch.Tensor, torch.Tensor] | None = None


def _digits_data(seed: int) -> dict[str, torch.Tensor]:
    global _DIGITS
    if _DIGITS is None:
        from sklearn.datasets import load_digits

        digits = load_digits()
        _DIGITS = (
            torch.tensor(digits.data, dtype=torch.float32),
            torch.tensor(digits.target, dtype=torch.long),
        )
    x, y = _DIGITS
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(2000 + seed))
    n_val = len(y) // 4
    val, train = perm[:n_val], perm[n_val:]
    mean, std = x[train].mean(0), x[train].std(0) + 1e-3  # standardise with train statistics
    return {
        "x_train": (x[train] - mean) / std,
        "y_train": y[train],
        "x_val": (x[val] - mean) / std,
        "y_val": y[val],
    }


def make_data(settings: TaskSettings, seed: int) -> dict[str, torch.Tensor]:
    """Train/validation tensors of `settings.task` for `seed` (deterministic)."""
    if settings.task.startswith("transformer"):
        return _transformer_data(settings, seed)
    if settings.task == "digits":
        return _digits_data(seed)
    raise ValueError(f"unknown task {settings.task!r}; use 'transformer' or 'digits'")


def make_model(settings: TaskSettings) -> nn.Module:
    """A freshly initialised model for `settings.task` (seed the global RNG first)."""
    if settings.task.startswith("transformer"):
        return TinyTransformer(
            d=settings.d_model,
            ff=settings.ff,
            positional=settings.positional,
            dropout=settings.dropout,
        )
    return DigitsMLP(settings.hidden)


def _evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return float(F.cross_entropy(logits, y)), float((logits.argmax(1) == y).float().mean())


def run_one(
    settings: TaskSettings,
    config: str,
    weight_decay: float,
    seed: int,
    on_epoch: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Train one model; return ``{"config", "weight_decay", "seed", "epochs": [per-epoch dict]}``.

    Each per-epoch dict holds ``train_loss``, ``train_acc`` (running over the epoch, as the seed
    logs them), ``val_loss``, ``val_acc`` (eval mode, whole validation set) and `weight_stats`.
    Epoch 0 is the initial state (its train values are None). Deterministic for a given (settings, config, wd, seed).
    """
    data = make_data(settings, seed)
    torch.manual_seed(seed)
    model = make_model(settings)
    opt = make_optimizer(config, model, settings.lr, weight_decay)
    g = torch.Generator().manual_seed(3000 + seed)
    x_tr, y_tr = data["x_train"], data["y_train"]
    n, bs = len(y_tr), settings.batch_size
    val_loss, val_acc = _evaluate(model, data["x_val"], data["y_val"])
    epochs = [
        {
            "epoch": 0,
            "train_loss": None,  # no training yet (None, not NaN: results.json stays strict JSON)
            "train_acc": None,
            "val_loss": val_loss,
            "val_acc": val_acc,
            **weight_stats(model),
        }
    ]
    for epoch in range(1, settings.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=g)
        loss_sum, correct, seen = 0.0, 0, 0
        for i in range(0, n - bs + 1, bs):  # drop_last, as the seed's loader
            idx = perm[i : i + bs]
            logits = model(x_tr[idx])
            loss = F.cross_entropy(logits, y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
            opt.step()
            loss_sum += float(loss.detach()) * bs
            correct += int((logits.argmax(1) == y_tr[idx]).sum())
            seen += bs
        val_loss, val_acc = _evaluate(model, data["x_val"], data["y_val"])
        epochs.append(
            {
                "epoch": epoch,
                "train_loss": loss_sum / seen,
                "train_acc": correct / seen,
                "val_loss": val_loss,
                "val_acc": val_acc,
                **weight_stats(model),
            }
        )
        if on_epoch is not None:
            on_epoch()
    out: dict[str, Any] = {
        "config": config,
        "weight_decay": weight_decay,
        "seed": seed,
        "epochs": epochs,
    }
    if "seed_val_label_agreement" in data:
        out["seed_val_label_agreement"] = float(data["seed_val_label_agreement"])
    return out


def permutation_check(settings: TaskSettings, seed: int = 0) -> dict[str, float]:
    """Max |Δlogit| when the 5 tokens of the input are permuted, without and with the positional
    embedding (freshly initialised models, eval mode): ~1e-7 means the model cannot tell the
    tokens apart, so it cannot learn a rule that depends on which feature is where."""
    data = make_data(settings, seed)
    x = data["x_val"][:256]
    perm = torch.tensor([3, 0, 4, 1, 2])
    shuffled = x.view(-1, 5, 4)[:, perm].reshape(-1, 20)
    out = {}
    for positional in (False, True):
        torch.manual_seed(seed)
        model = TinyTransformer(d=settings.d_model, ff=settings.ff, positional=positional).eval()
        with torch.no_grad():
            diff = (model(x) - model(shuffled)).abs().max()
        out["with_positional" if positional else "without_positional"] = float(diff)
    return out
