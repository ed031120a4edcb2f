"""Gradient-accumulation experiment (seed 003): the seed's buggy loop vs `Accumulator`.

* `run_training` -- the seed's task (20 Gaussian features, label ``x0 + 0.6 x1 - 0.3 x2 > 0``, MLP
  20-128-2, micro-batch 64, k = 8, 300 updates, warmup 50 + cosine, lr 3e-3, clip 1.0) with
  `loops.train_buggy` or `loops.train_fixed`, under a clamped cosine (the seed's ``min(1, t)``) or
  an unclamped one (transformers' formula, which rises again past the end). Both loops use
  AdamW(weight_decay=1e-2) so that the loop is the only difference (the seed also switches
  Adam -> AdamW between its two runs). Records per optimizer step: lr, pre-clip grad norm, mean
  micro-batch loss; clip rate; held-out accuracy.
* `exactness` -- Accumulator (k x 64) vs one batch of 512 in float64: max |Δθ| after 50 updates.
* `variable_length` -- padded sequences of unequal length: per-micro-batch token means vs
  item-weighted normalisation vs the big batch (loss and gradient error).

Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from stepguard.accumulation import Accumulator
from stepguard.experiments import _loops as loops
from stepguard.groups import param_groups

__all__ = [
    "StepLog",
    "cosine_schedule",
    "default_warmup",
    "exactness",
    "make_mlp",
    "micro_batches",
    "run_training",
    "variable_length",
]

ACCUM = 8
MICRO = 64


def make_mlp(dtype: torch.dtype = torch.float32) -> nn.Module:
    """The seed's MLP: Linear(20, 128) -> ReLU -> Linear(128, 2)."""
    return nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 2)).to(dtype)


def _label(x: torch.Tensor) -> torch.Tensor:
    return (x[:, 0] + 0.6 * x[:, 1] - 0.3 * x[:, 2] > 0).long()


def micro_batches(
    seed: int, n: int = 8192, bs: int = MICRO, dtype: torch.dtype = torch.float32
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless shuffled micro-batches of the seed's dataset (n points, drop_last), reshuffled
    every epoch, as the seed's DataLoader; deterministic for `seed`."""
    g = torch.Generator().manual_seed(4000 + seed)
    x = torch.randn(n, 20, generator=g).to(dtype)
    y = _label(x)
    while True:
        perm = torch.randperm(n, generator=g)
        for i in range(0, n - bs + 1, bs):
            idx = perm[i : i + bs]
            yield x[idx], y[idx]


def default_warmup(updates: int) -> int:
    """The seed's warmup share: 50 steps for 300 updates."""
    return max(1, round(updates / 6))


def cosine_schedule(total: int, warmup: int = 50, clamp: bool = True) -> Callable[[int], float]:
    """The seed's LambdaLR factor: linear warmup, then cosine over `total` steps. `clamp=True`
    is the seed's ``min(1, t)`` (0 after `total`); `clamp=False` keeps going (transformers'
    ``get_cosine_schedule_with_warmup`` formula), so the factor rises again after `total`."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        t = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * (min(1.0, t) if clamp else t)))

    return factor


class StepLog:
    """What `loops.train_*` report: per optimizer step lr, pre-clip grad norm, mean loss."""

    def __init__(self, clip: float = 1.0) -> None:
        self.clip = clip
        self.lr: list[float] = []
        self.grad_norm: list[float] = []
        self.loss: list[float] = []
        self.clip_calls = 0
        self.clipped = 0
        self._losses: list[float] = []
        self._norm = math.nan

    def micro(self, loss: torch.Tensor, norm: float | torch.Tensor | None) -> None:
        """One micro-batch: its (unscaled) loss and, if it clipped, the pre-clip norm."""
        self._losses.append(float(loss.detach()))
        if norm is not None:
            self._norm = float(norm)
            self.clip_calls += 1
            # clip_grad_norm_ scales by clip / (norm + 1e-6) when that is < 1
            self.clipped += int(self.clip / (self._norm + 1e-6) < 1.0)

    def step(self, lr: float) -> None:
        """One optimizer step that used learning rate `lr`."""
        self.lr.append(float(lr))
        self.grad_norm.append(self._norm)
        self.loss.append(sum(self._losses) / len(self._losses))
        self._losses = []


def _accuracy(model: nn.Module, seed: int) -> float:
    g = torch.Generator().manual_seed(5000 + seed)
    x = torch.randn(4096, 20, generator=g)
    with torch.no_grad():
        return float((model(x).argmax(1) == _label(x)).float().mean())


def run_training(
    loop: str,
    clamp: bool,
    seed: int,
    updates: int = 300,
    monitor: bool = False,
    on_step: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Train the seed's MLP with the ``"bug"`` or ``"fix"`` loop; return the per-step record.

    Keys: ``lr``, ``grad_norm``, ``loss`` (lists per optimizer step), ``clip_rate`` (clipping
    calls that clipped / calls), ``clip_calls``, ``scheduler_steps``, ``lr_sum``,
    ``heldout_acc``; with ``monitor=True`` also ``monitor`` (the `Monitor` report as a dict).
    """
    if loop not in ("bug", "fix"):
        raise ValueError(f"loop must be 'bug' or 'fix', got {loop!r}")
    torch.manual_seed(seed)
    model = make_mlp()
    # param_groups in both loops: biases undecayed, so the loop is the only difference (SG102)
    opt = torch.optim.AdamW(param_groups(model, weight_decay=1e-2), lr=3e-3)
    schedule = cosine_schedule(updates, default_warmup(updates), clamp=clamp)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    log = StepLog()
    if on_step is not None:
        step = log.step

        def step_and_tick(lr: float) -> None:
            step(lr)
            on_step()

        log.step = step_and_tick  # type: ignore[method-assign]
    train = loops.train_buggy if loop == "bug" else loops.train_fixed
    args = (model, opt, sched, micro_batches(seed), ACCUM, updates, log)
    report = None
    with warnings.catch_warnings():
        # the buggy loop's first scheduler.step() precedes optimizer.step(): torch warns, as meant
        warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
        if monitor:
            from stepguard.monitoring import Monitor

            with Monitor(model, opt, scheduler=sched) as mon:
                train(*args)
            report = mon.report()
        else:
            train(*args)
    out: dict[str, Any] = {
        "loop": loop,
        "clamped": clamp,
        "seed": seed,
        "lr": log.lr,
        "grad_norm": log.grad_norm,
        "loss": log.loss,
        "clip_calls": log.clip_calls,
        "clip_rate": log.clipped / max(1, log.clip_calls),
        "scheduler_steps": int(sched.last_epoch),
        "lr_sum": sum(log.lr),
        "final_loss": sum(log.loss[-20:]) / len(log.loss[-20:]),
        "heldout_acc": _accuracy(model, seed),
    }
    if report is not None:
        out["monitor"] = report.to_dict()
    return out


# ------------------------------------------------------------------------------------ exactness
def _flat(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _check_count(value: object, what: str, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{what} must be an int >= {minimum}, got {value!r}")


def _make_opt(name: str, model: nn.Module) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)


def exactness(
    optimizer: str = "adamw", updates: int = 50, dtype: torch.dtype = torch.float64, seed: int = 0
) -> dict[str, float]:
    """Max |Δθ| after `updates` optimizer steps between one batch of k*64 (reference) and
    (a) `Accumulator` over k micro-batches of 64, (b) the seed's buggy loop; same data order,
    clip 1.0 and a clamped cosine schedule in all three. `optimizer` is ``"adamw"`` or
    ``"sgd"`` (momentum 0.9), `dtype` a floating dtype."""
    if optimizer not in ("adamw", "sgd"):
        raise ValueError(f"optimizer must be 'adamw' or 'sgd', got {optimizer!r}")
    _check_count(updates, "updates")
    _check_count(seed, "seed", minimum=0)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            f"dtype must be a floating torch.dtype such as torch.float64, got {dtype!r}"
        )

    def setup() -> tuple[nn.Module, torch.optim.Optimizer, Any]:
        torch.manual_seed(seed)
        model = make_mlp(dtype)
        opt = _make_opt(optimizer, model)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_schedule(updates, warmup=5))
        return model, opt, sched

    model, opt, sched = setup()
    big = micro_batches(seed, bs=MICRO * ACCUM, dtype=dtype)
    for _ in range(updates):
        x, y = next(big)
        F.cross_entropy(model(x), y).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        sched.step()
    reference = _flat(model)

    model, opt, sched = setup()
    acc = Accumulator(model, opt, steps=ACCUM, scheduler=sched, clip_grad_norm=1.0)
    stream = micro_batches(seed, dtype=dtype)
    for x, y in acc.iterate(next(stream) for _ in range(updates * ACCUM)):
        acc.backward(F.cross_entropy(model(x), y))
    accumulated = _flat(model)

    model, opt, sched = setup()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
        loops.train_buggy(
            model, opt, sched, micro_batches(seed, dtype=dtype), ACCUM, updates, StepLog()
        )
    buggy = _flat(model)
    return {
        "accumulator_max_abs_diff": float((accumulated - reference).abs().max()),
        "buggy_max_abs_diff": float((buggy - reference).abs().max()),
        "param_max_abs": float(reference.abs().max()),
    }


# ------------------------------------------------------------------------------ variable length
def _sequences(seed: int, count: int, vocab: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(6000 + seed)
    # lengths spread over 2..96 so micro-batches hold very different token counts
    lengths = (torch.rand(count, generator=g) ** 2 * 94 + 2).long()
    return [torch.randint(0, vocab, (int(n),), generator=g) for n in lengths]


def _pad(seqs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in seqs)
    inputs = torch.zeros(len(seqs), width, dtype=torch.long)
    targets = torch.full((len(seqs), width), -100, dtype=torch.long)  # -100: padding, ignored
    for i, s in enumerate(seqs):
        inputs[i, : len(s) - 1] = s[:-1]
        targets[i, : len(s) - 1] = s[1:]
    return inputs, targets


def variable_length(seed: int = 0, windows: int = 10, per_micro: int = 2) -> dict[str, Any]:
    """Next-token loss on padded sequences of unequal length, k = 8 micro-batches per window.

    Compares, for each window, the loss and gradient of the big batch (token mean over the whole
    window) with (a) `Accumulator` in mean mode (average of per-micro-batch token means, SG207)
    and (b) `Accumulator` in item mode (``backward(loss_sum, items=tokens)``). float64. Returns
    the worst loss error, max |Δgrad| and relative L2 gradient error over the windows, and the
    token counts per micro-batch.
    """
    _check_count(seed, "seed", minimum=0)
    _check_count(windows, "windows")
    _check_count(per_micro, "per_micro")
    vocab, dim = 40, 16
    seqs = _sequences(seed, windows * ACCUM * per_micro, vocab)
    micro = [_pad(seqs[i : i + per_micro]) for i in range(0, len(seqs), per_micro)]

    def model_and_grads() -> tuple[nn.Module, torch.optim.Optimizer, list[list[torch.Tensor]]]:
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Embedding(vocab, dim), nn.Linear(dim, vocab)).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the weights stay put
        grads: list[list[torch.Tensor]] = []
        opt.register_step_pre_hook(
            lambda o, a, k: grads.append([p.grad.detach().clone() for p in model.parameters()])  # type: ignore[union-attr]
        )
        return model, opt, grads

    def loss_fn(model: nn.Module, inp: torch.Tensor, tgt: torch.Tensor, red: str) -> torch.Tensor:
        logits = model(inp)
        return F.cross_entropy(
            logits.flatten(0, 1), tgt.flatten(), ignore_index=-100, reduction=red
        )

    results: dict[str, dict[str, float]] = {}
    big_model, _, _ = model_and_grads()
    big_losses, big_grads = [], []
    for w in range(windows):
        inp, tgt = _pad(seqs[w * ACCUM * per_micro : (w + 1) * ACCUM * per_micro])
        big_model.zero_grad()
        loss = loss_fn(big_model, inp, tgt, "mean")
        loss.backward()
        big_losses.append(float(loss.detach()))
        big_grads.append([p.grad.detach().clone() for p in big_model.parameters()])  # type: ignore[union-attr]

    for mode in ("token_mean_per_micro_batch", "item_weighted"):
        model, opt, grads = model_and_grads()
        acc = Accumulator(model, opt, steps=ACCUM)
        window_loss: list[float] = []
        acc_loss = 0.0
        for inp, tgt in acc.iterate(micro):
            if mode == "item_weighted":
                loss = loss_fn(model, inp, tgt, "sum")
                acc_loss += float(
                    loss.detach()
                )  # the window's loss sum; divided by its tokens below
                closed = acc.backward(loss, items=int((tgt != -100).sum()))
            else:
                loss = loss_fn(model, inp, tgt, "mean")
                acc_loss += float(loss.detach()) / ACCUM
                with warnings.catch_warnings():  # the SG207 mistake is what this mode shows
                    warnings.filterwarnings("ignore", message=r"Accumulator \(SG207\)")
                    closed = acc.backward(loss)
            if closed:
                window_loss.append(acc_loss)
                acc_loss = 0.0
        if mode == "item_weighted":  # the sum over the window divided by its token count
            window_loss = [s / t for s, t in zip(window_loss, _window_tokens(micro), strict=True)]
        loss_err = max(abs(a - b) for a, b in zip(window_loss, big_losses, strict=True))
        abs_err, rel_err = 0.0, 0.0
        for got, ref in zip(grads, big_grads, strict=True):
            diff = torch.cat([(a - b).flatten() for a, b in zip(got, ref, strict=True)])
            norm = torch.cat([b.flatten() for b in ref]).norm()
            abs_err = max(abs_err, float(diff.abs().max()))
            rel_err = max(rel_err, float(diff.norm() / norm))
        results[mode] = {
            "loss_max_abs_err": loss_err,
            "grad_max_abs_err": abs_err,
            "grad_rel_l2_err": rel_err,
        }
    tokens = [int((t != -100).sum()) for _, t in micro]
    return {
        **results,
        "tokens_per_micro_batch_min": min(tokens),
        "tokens_per_micro_batch_max": max(tokens),
        "windows": windows,
        "big_batch_loss_mean": sum(big_losses) / len(big_losses),
    }


def _window_tokens(micro: list[tuple[torch.Tensor, torch.Tensor]]) -> list[int]:
    counts = [int((t != -100).sum()) for _, t in micro]
    return [sum(counts[i : i + ACCUM]) for i in range(0, len(counts), ACCUM)]
