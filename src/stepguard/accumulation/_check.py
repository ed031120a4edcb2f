"""`check_accumulation`: does accumulating this model's gradients equal one big batch? And if not, why?

On copies of the user's real model and loss, it computes one window's gradient both ways (the
whole batch at once, and `steps` micro-batches with ``loss / steps``), reports the deviation, and
names the causes it finds by removing each one and measuring again: BatchNorm in train mode
(SG209), randomness in the forward such as dropout (its masks depend on how the batch is split),
and per-micro-batch means over unequal item counts (SG207): rows, or tokens read from the batch
itself (label tensors with -100 padding, attention masks), or what `items=` counts. The user's
model, its gradients and the global RNG state are left exactly as they were.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from stepguard.accumulation._items import count_rows, count_tokens, describe
from stepguard.findings import Finding, Report

__all__ = ["AccumulationCause", "AccumulationCheck", "check_accumulation"]

BATCHNORM = "batchnorm-train"
RANDOM = "dropout-rng"
UNEQUAL = "unequal-item-means"


@dataclass(frozen=True)
class AccumulationCause:
    """One reason accumulation differs from the big batch, and the deviation once it is removed."""

    name: str  # "batchnorm-train", "dropout-rng" or "unequal-item-means"
    code: str | None  # the catalog code (SG209, SG207), None when the catalog has none
    message: str
    deviation_without: float  # max relative deviation with only this cause removed


@dataclass(frozen=True)
class AccumulationCheck:
    """The result of `check_accumulation`.

    ``max_relative_deviation = max|g_acc - g_big| / max|g_big|`` over all trainable parameters
    (g_acc: ``steps`` micro-batches, each ``loss / steps``; g_big: the whole batch).
    ``residual_deviation`` is the same with every named cause removed; `exact` compares the
    deviation with `tolerance`. Causes are named only when the deviation exceeds `tolerance`.
    """

    max_relative_deviation: float
    max_abs_deviation: float
    worst_parameter: str
    tolerance: float
    steps: int
    micro_batch_items: list[int]
    causes: list[AccumulationCause] = field(default_factory=list)
    residual_deviation: float = 0.0
    #: the forward is random (its big-batch gradient depends on the RNG state). With one random
    #: layer, contiguous micro-batches can draw the very same numbers as the big batch (CPU): exact.
    random_forward: bool = False

    @property
    def exact(self) -> bool:
        """Whether accumulation reproduces the big-batch gradient within `tolerance`."""
        return self.max_relative_deviation <= self.tolerance

    def report(self) -> Report:
        """The causes that have a catalog code as `Finding`s; the numbers in the summary."""
        findings = [Finding(c.code, c.message) for c in self.causes if c.code is not None]
        summary = {
            "max_relative_deviation": self.max_relative_deviation,
            "max_abs_deviation": self.max_abs_deviation,
            "worst_parameter": self.worst_parameter,
            "residual_deviation": self.residual_deviation,
            "exact": self.exact,
            "causes": [c.name for c in self.causes],
        }
        return Report(findings, summary=summary, title="stepguard check_accumulation")

    def __str__(self) -> str:
        verdict = "exact" if self.exact else "NOT exact"
        lines = [
            f"accumulation over {self.steps} micro-batches vs one batch: {verdict}, max relative "
            f"deviation {self.max_relative_deviation:.3e} (at {self.worst_parameter}; "
            f"tolerance {self.tolerance:.1e})"
        ]
        for c in self.causes:
            tag = f"{c.code} " if c.code else ""
            lines.append(f"  {tag}{c.name}: {c.message} (without it: {c.deviation_without:.3e})")
        if self.causes:
            lines.append(f"  with all causes removed: {self.residual_deviation:.3e}")
        return "\n".join(lines)


def check_accumulation(
    model: nn.Module,
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    batch: Any,
    *,
    steps: int,
    items: Callable[[Any], int] | None = None,
    tolerance: float | None = None,
) -> AccumulationCheck:
    """Compare one window's accumulated gradient with the whole batch's, on copies of `model`.

    `loss_fn(model, batch)` returns the scalar MEAN loss the user trains with (mean over samples,
    or over items such as unmasked tokens). `batch` is a tensor, or a tuple/list/dict of tensors
    (nested allowed) split along dim 0 into `steps` micro-batches with `torch.tensor_split`.
    `items(micro_batch)` counts items when the loss is a mean over items. Without it the check
    looks for the counts itself: rows, and tokens of any integer tensor of the batch holding -100
    (labels, as they are and shifted by one for causal language models) or of a 0/1 tensor whose
    key names a mask. The model is checked in its current train/eval mode.

    Causes are named when present and confirmed by measurement: BatchNorm layers in train mode
    (their eval-mode run removes the deviation), a random forward (the big-batch gradient changes
    with the RNG state; non-BatchNorm modules put in eval mode), unequal item counts (SG207,
    whenever the micro-batches' counts differ; its deviation is measured weighting micro-batch
    means by ``n_i / N``, as ``Accumulator(mean_over=...)`` does, with the counting that explains
    the deviation best). Nothing of the user's model, gradients or RNG state changes; it needs
    memory for one copy of the model at a time.

    Args:
        model: the model, as it trains (its train/eval mode is kept).
        loss_fn: ``loss_fn(model, batch) -> scalar mean loss``.
        batch: one window's worth of data, split along dim 0 into `steps` micro-batches.
        steps: micro-batches per window.
        items: counts a micro-batch's items when the loss is a mean over them.
        tolerance: the relative deviation still called exact (default: 1000 eps of the dtype).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"check_accumulation: model must be an nn.Module (the model you train), got "
            f"{type(model).__name__}"
        )
    if not callable(loss_fn):
        raise TypeError(
            "check_accumulation: loss_fn must be a function (model, batch) -> scalar mean loss, "
            f"got {type(loss_fn).__name__}"
        )
    if batch is None:
        raise TypeError(
            "check_accumulation: batch must be one window's data (a tensor, or a tuple/list/dict "
            "of tensors split along dim 0), got None"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"check_accumulation: steps must be an int >= 1, got {steps!r}")
    if tolerance is not None and (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float))
        or not tolerance >= 0
        or tolerance == float("inf")
    ):
        raise ValueError(
            "check_accumulation: tolerance must be a finite number >= 0 (the relative deviation "
            f"still called exact), got {tolerance!r}; leave it out for 1000 eps of the dtype"
        )
    micro = _split(batch, steps)
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not params:
        raise ValueError("check_accumulation: the model has no trainable parameters")
    if tolerance is None:
        tolerance = 1000 * torch.finfo(params[0][1].dtype).eps
    counts = [_count(items, mb) for mb in micro]
    total = sum(counts)
    mean_w = [1.0 / steps] * steps
    item_w = [n / total for n in counts]
    # Counts the loss may be a mean over, each with unequal values across the micro-batches.
    counters = [(describe(items), items)] if items is not None else _counters(batch)
    unequal_counts = []
    for what, counter in counters:
        cs = [_count(counter, mb, allow_zero=True) for mb in micro]
        if sum(cs) > 0 and len(set(cs)) > 1:
            unequal_counts.append((what, counter, cs))
    names = [n for n, _ in params]
    devices = [p.device for _, p in params if p.device.type == "cuda"]
    with torch.random.fork_rng(devices=devices):
        state = torch.get_rng_state()
        cuda_state = [torch.cuda.get_rng_state(d) for d in devices]

        def reset() -> None:
            torch.set_rng_state(state)
            for d, s in zip(devices, cuda_state, strict=True):
                torch.cuda.set_rng_state(s, d)

        def grads(
            chunks: Sequence[Any], weights: Sequence[float], off: frozenset[str]
        ) -> list[torch.Tensor]:
            reset()
            return _window_grad(model, loss_fn, chunks, weights, off)

        def dev(off: frozenset[str] = frozenset(), weights: Sequence[float] = mean_w) -> float:
            return _deviation(grads(micro, weights, off), grads([batch], [1.0], off), names)[0]

        big = grads([batch], [1.0], frozenset())
        rel, abs_dev, worst = _deviation(grads(micro, mean_w, frozenset()), big, names)
        candidates: list[tuple[str, str | None, str, frozenset[str], Sequence[float]]] = []
        bn = [
            n
            for n, m in model.named_modules()
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training
        ]
        if bn:
            candidates.append(
                (
                    BATCHNORM,
                    "SG209",
                    f"BatchNorm in train mode ({', '.join(bn)}) normalises each micro-batch with its own statistics",
                    frozenset({BATCHNORM}),
                    mean_w,
                )
            )
        # A random forward is one whose big-batch gradient changes with the RNG state.
        reset()
        torch.rand(16)
        for d in devices:
            torch.rand(16, device=d)
        other = _window_grad(model, loss_fn, [batch], [1.0], frozenset())
        random_forward = _deviation(other, big, names)[0] > tolerance
        if rel <= tolerance:
            candidates.clear()  # a cause explains a deviation; there is none
        elif random_forward:
            drop = [
                n
                for n, m in model.named_modules()
                if isinstance(m, nn.modules.dropout._DropoutNd) and m.training and m.p > 0
            ]
            what = f"dropout ({', '.join(drop)})" if drop else "a random operation in the forward"
            candidates.append(
                (
                    RANDOM,
                    None,
                    f"{what} draws different masks for k micro-batches than for one batch; equal only in distribution",
                    frozenset({RANDOM}),
                    mean_w,
                )
            )
        if rel > tolerance and unequal_counts:
            # The counting whose n_i / N weighting comes closest to the big batch explains it.
            scored = [
                (dev(frozenset(), [n / sum(cs) for n in cs]), what, counter, cs)
                for what, counter, cs in unequal_counts
            ]
            _, what, counter, cs = min(scored, key=lambda t: t[0])
            counts, item_w = cs, [n / sum(cs) for n in cs]
            fix = (
                "Accumulator(items=...)"
                if items is not None
                else f"Accumulator(mean_over={_fix_text(counter)})"
            )
            candidates.append(
                (
                    UNEQUAL,
                    "SG207",
                    f"micro-batch means over unequal item counts {cs} ({what}) are averaged with equal weight; weight them by n_i / N: {fix}",
                    frozenset(),
                    item_w,
                )
            )
        all_off = frozenset().union(*(c[3] for c in candidates))
        uneven = any(c[0] == UNEQUAL for c in candidates)
        causes = []
        for name, code, message, off, weights in candidates:
            # Confirm each cause on its own (every other candidate removed), so that a random
            # layer that happens to draw the same masks is not blamed for BatchNorm's deviation.
            alone_w = mean_w if name == UNEQUAL or not uneven else item_w
            if len(candidates) > 1 and dev(all_off - off, alone_w) <= tolerance:
                continue
            causes.append(AccumulationCause(name, code, message, dev(off, weights)))
        residual = dev(all_off, item_w if uneven else mean_w) if candidates else rel
    return AccumulationCheck(
        rel, abs_dev, worst, tolerance, steps, counts, causes, residual, random_forward
    )


def _window_grad(
    model: nn.Module,
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    chunks: Sequence[Any],
    weights: Sequence[float],
    off: frozenset[str],
) -> list[torch.Tensor]:
    work = copy.deepcopy(model)
    for m in work.modules():
        is_bn = isinstance(m, nn.modules.batchnorm._BatchNorm)
        if (BATCHNORM in off and is_bn) or (RANDOM in off and not is_bn):
            m.training = False
    ps = [p for p in work.parameters() if p.requires_grad]
    for p in ps:
        p.grad = None
    for chunk, w in zip(chunks, weights, strict=True):
        loss = loss_fn(work, chunk)
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            raise ValueError(
                "check_accumulation: loss_fn(model, batch) must return a scalar tensor"
            )
        (loss * w).backward()
    return [torch.zeros_like(p) if p.grad is None else p.grad.detach() for p in ps]


def _deviation(
    acc: list[torch.Tensor], big: list[torch.Tensor], names: list[str]
) -> tuple[float, float, str]:
    diffs = [
        float((a - b).abs().max()) if a.numel() else 0.0 for a, b in zip(acc, big, strict=True)
    ]
    scale = max(float(b.abs().max()) if b.numel() else 0.0 for b in big)
    i = max(range(len(diffs)), key=diffs.__getitem__)
    return diffs[i] / max(scale, torch.finfo(torch.float64).tiny), diffs[i], names[i]


def _count(items: Callable[[Any], int] | None, mb: Any, allow_zero: bool = False) -> int:
    n = int(items(mb)) if items is not None else _first_len(mb)
    if n < 0 or (n == 0 and not allow_zero):
        raise ValueError(f"check_accumulation: a micro-batch has {n} items; use fewer steps")
    return n


def _counters(batch: Any) -> list[tuple[str, Callable[[Any], int]]]:
    """Rows, and the token counts a loss over this batch may be a mean over."""
    out: list[tuple[str, Callable[[Any], int]]] = [("rows", count_rows)]
    if isinstance(batch, Mapping):
        fields: list[tuple[str | int, Any]] = list(batch.items())
    elif isinstance(batch, (tuple, list)):
        fields = list(enumerate(batch))
    else:
        return out
    for key, t in fields:
        if not isinstance(t, torch.Tensor) or t.dtype.is_floating_point or t.dim() == 0:
            continue
        if bool((t == -100).any()):
            ignore = -100
        elif isinstance(key, str) and "mask" in key.lower() and bool(((t == 0) | (t == 1)).all()):
            ignore = 0
        else:
            continue
        for shift in (0, 1) if t.dim() > 1 else (0,):
            counter = count_tokens(key, ignore_index=ignore, shift=shift)
            out.append((describe(counter), counter))
    return out


def _fix_text(counter: Callable[[Any], int]) -> str:
    if counter is count_rows:
        return "'rows'"
    kw = getattr(counter, "keywords", None)
    if kw is None:
        return "<your count function>"
    args = [repr(kw["key"])]
    if kw["ignore_index"] != -100:
        args.append(f"ignore_index={kw['ignore_index']}")
    if kw["shift"]:
        args.append(f"shift={kw['shift']}")
    return f"count_tokens({', '.join(args)})"


def _first_len(batch: Any) -> int:
    if isinstance(batch, torch.Tensor):
        return int(batch.shape[0])
    if isinstance(batch, Mapping):
        return _first_len(next(iter(batch.values())))
    return _first_len(batch[0])


def _split(batch: Any, steps: int) -> list[Any]:
    n = _first_len(batch)
    if n < steps:
        raise ValueError(
            f"check_accumulation: a batch of {n} samples cannot make {steps} micro-batches"
        )

    def part(x: Any, i: int) -> Any:
        if isinstance(x, torch.Tensor):
            return torch.tensor_split(x, steps)[i]
        if isinstance(x, Mapping):
            return {k: part(v, i) for k, v in x.items()}
        if isinstance(x, (tuple, list)):
            return type(x)(part(v, i) for v in x)
        return x

    return [part(batch, i) for i in range(steps)]
