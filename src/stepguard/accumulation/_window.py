"""One accumulation window: what is known about it, the numbers the ranks agree on, and the warning
for micro-batches of unequal size in mean mode.

The agreement is one all-reduce of a few float64 numbers per window (`Agreement` names them). At
the end of window j it carries the window's non-finite losses, micro-batches and items (for the
scale) and, under `iterate`, what every rank holds for window j+1 (looked up one window ahead),
so that window j+1 is planned with global numbers before its first backward.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

MEAN, ITEMS, MEAN_OVER = "mean", "items", "mean_over"


class MicroBatch(NamedTuple):
    """What the current micro-batch's context told `backward`."""

    synced: bool  # the wrapper syncs this micro-batch's gradients
    rows: int | None  # its size (mean mode, for the unequal-size warning)
    n: int | None  # its items (items= / mean_over= counted from the batch)


@dataclass(slots=True)
class Window:
    """What is known about the current window before (or while) its micro-batches run."""

    size: int | None = None  # micro-batches this rank runs; None = own loop, not known ahead
    div: float | None = None  # planned: backward takes loss / div (x the count with mean_over)
    counts: list[int] | None = None  # planned: per-micro-batch local item counts
    total: float | None = None  # planned: items (micro-batches in mean mode) over all ranks
    native: bool = True  # planned: the wrapper syncs the last micro-batch (else sum_grads)
    pos: int = 0  # micro-batches already backpropagated
    mode: str | None = None  # MEAN, ITEMS or MEAN_OVER, fixed by the first backward
    items_seen: int = 0  # local items backpropagated so far
    losses: list[torch.Tensor] = field(default_factory=list)  # detached, for the finite check
    bad: int = 0  # non-finite losses restored from a checkpoint
    synced: bool = True  # the last backward ran with the wrapper's gradient sync on
    rows: list[int | None] = field(default_factory=list)  # own loop: sizes seen (mean mode)
    next_local: list[float] | None = None  # iterate, several ranks: this rank's next window
    fast: bool = False  # backward may take its lean path (one process, planned mean window)
    warn: tuple[Any, ...] | None = None  # an SG207 warning, given at the close if mode is MEAN


@dataclass(frozen=True)
class Agreement:
    """The window's numbers summed over the ranks (one all-reduce; see `vector`)."""

    bad: float  # non-finite losses in the closing window
    micro: float  # micro-batches of the closing window
    items: float  # items of the closing window
    counting: float  # ranks whose closing window weighs items (items= / mean_over=), not means
    active: float  # ranks with a next window (iterate) / ranks still running (own loop)
    next_micro: float  # micro-batches of the next window (iterate)
    next_items: float  # items of the next window (iterate)
    rows: float  # sum of micro-batch sizes (next window under iterate, this one in own loop)
    rows2: float  # sum of their squares: all sizes are equal iff micro * rows2 == rows**2
    known: float  # micro-batches whose size is known

    @classmethod
    def of(cls, values: Sequence[float]) -> Agreement:
        return cls(*values)


def describe_next(
    batches: Sequence[object], counts: Sequence[int] | None, sizes: Sequence[int | None]
) -> list[float]:
    """This rank's part of the next window: [has one, micro-batches, items, rows, rows², known]."""
    known = [s for s in sizes if s is not None]
    return [
        1.0 if batches else 0.0,
        float(len(batches)),
        float(sum(counts)) if counts is not None else 0.0,
        float(sum(known)),
        float(sum(s * s for s in known)),
        float(len(known)),
    ]


def unequal(micro: float, rows: float, rows2: float, known: float) -> bool:
    """Whether micro-batch sizes differ (from their count, sum and sum of squares)."""
    return known > 1 and known == micro and micro * rows2 != rows * rows


def warn_unequal_sizes(sizes: Sequence[int | None], across_ranks: bool, stacklevel: int) -> None:
    """Mean mode, micro-batches of different sizes in one window: say by how much, and the fix."""
    known = [s for s in sizes if s is not None]
    m, n = len(known), sum(known)
    where = f"micro-batch sizes {list(known)} in one window"
    effect = ""
    if m > 1 and n > 0:
        lo, hi = min(known), max(known)
        effect = (
            f": each micro-batch's mean loss weighs 1/{m}, so a row of the {lo}-row micro-batch "
            f"counts {n / (m * lo):.2f}x its share of one big batch's mean and a row of a "
            f"{hi}-row one {n / (m * hi):.2f}x"
        )
    if across_ranks:
        where = f"micro-batch sizes that differ across ranks (this rank: {list(known)})"
        effect = ": each micro-batch's mean loss weighs the same, whatever its size"
    warnings.warn(
        f"Accumulator (SG207): mean mode with {where}{effect}; the step is not the big-batch "
        "step. Fix: Accumulator(..., mean_over='rows') keeps your mean loss and weighs each "
        "micro-batch by its rows (or mean_over=count_tokens('labels') for a token mean; items= "
        "with a SUM-reduced loss). Warned once per Accumulator.",
        UserWarning,
        stacklevel=stacklevel,
    )


def warn_unequal_tokens(counts: Sequence[int], stacklevel: int) -> None:
    """Mean mode, labels padded with -100 and target-token counts that differ in a window."""
    m, n = len(counts), sum(counts)
    lo, hi = max(min(counts), 1), max(counts)
    warnings.warn(
        f"Accumulator (SG207): mean mode, and the window's micro-batches hold {list(counts)} "
        "target tokens (labels != -100). If the loss is a token mean (cross_entropy's default), "
        f"a token of the {lo}-token micro-batch counts {n / (m * lo):.2f}x its share of one big "
        f"batch's mean and a token of the {hi}-token one {n / (m * hi):.2f}x; the step is not "
        "the big-batch step. Fix: Accumulator(..., mean_over=count_tokens('labels')) keeps your "
        "mean loss and weighs each micro-batch by its tokens (the labels' index for a tuple "
        "batch; shift=1 for causal LMs that shift labels themselves). Warned once per Accumulator.",
        UserWarning,
        stacklevel=stacklevel,
    )
