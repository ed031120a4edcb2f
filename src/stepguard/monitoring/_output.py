"""What the Monitor hands back: the instrument summary, CSV export, and plots (matplotlib optional)."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stepguard._files import atomic_write
from stepguard.monitoring._detect import DetectorState

__all__ = ["plot_history", "summarize", "write_csv"]

# Curves summarised as first/last/min/max, and drawn by `plot_history`, in this order.
_CURVE_PREFIXES = (
    "lr_group",
    "grad_norm",
    "clip_rate",
    "scale",
    "norm_weight_mean_abs",
    "bias_mean_abs",
    "update_ratio_group",
)


def _r(x: float) -> float:
    return x if not math.isfinite(x) else float(f"{x:.6g}")


def _curve_keys(history: Sequence[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for row in history:
        for k in row:
            if k not in keys and k.startswith(_CURVE_PREFIXES):
                keys.append(k)
    return sorted(keys, key=lambda k: [k.startswith(p) for p in _CURVE_PREFIXES].index(True))


def summarize(history: Sequence[dict[str, Any]], state: DetectorState) -> dict[str, Any]:
    """The instrument summary of a Monitor run.

    Counts: ``steps`` (attempted optimizer steps), ``skipped_steps``, ``backward_passes``,
    ``micro_batches_per_step`` (over the windows whose size is known: all of them unless
    ``every > 1`` on a loop with several loss terms or optimizers), ``scheduler_steps``,
    ``clip_calls`` (in watched windows), ``instrumented_steps``. Each curve of `history` (learning rates, grad norm, clip rate, scale,
    norm-weight and bias mean |value|, update ratios) as ``{"first", "last", "min", "max"}`` over
    its finite values (6 significant digits).
    """
    steps = state.step
    out: dict[str, Any] = {
        "steps": steps,
        "skipped_steps": state.skipped_steps,
        "backward_passes": state.bw_total,
        "micro_batches_per_step": (
            _r(state.mb_known / state.steps_known) if state.steps_known else 0.0
        ),
        "scheduler_steps": state.sched_total,
        "clip_calls": state.clip_calls,
        "instrumented_steps": len(history),
    }
    for key in _curve_keys(history):
        vals = [float(r[key]) for r in history if key in r and math.isfinite(float(r[key]))]
        if vals:
            out[key] = {
                "first": _r(vals[0]),
                "last": _r(vals[-1]),
                "min": _r(min(vals)),
                "max": _r(max(vals)),
            }
    return out


def _check_path(path: object, what: str) -> Path:
    """`path` as a file path whose directory exists, or a clear error naming `what`."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{what}(path) needs a file path (str or pathlib.Path), got {type(path).__name__}"
        )
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            f"{what}(path) needs a file name, got {path!r}; e.g. {what}('monitor.csv')"
        )
    target = Path(text)
    if target.is_dir():
        raise ValueError(f"{what}({text!r}): that is a directory; name a file inside it")
    if not target.parent.is_dir():
        raise ValueError(
            f"{what}({text!r}): the directory {str(target.parent)!r} does not exist; create it first"
        )
    return target


def write_csv(history: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """Write rows to `path` as CSV; columns are every key, in first-seen order. The file is
    replaced atomically (a failed write leaves any previous file as it was)."""
    target = _check_path(path, "Monitor.to_csv")
    cols: list[str] = []
    for row in history:
        cols += [k for k in row if k not in cols]
    buffer = io.StringIO(newline="")
    w = csv.DictWriter(buffer, fieldnames=cols)
    w.writeheader()
    w.writerows(history)
    atomic_write(target, buffer.getvalue().encode("utf-8"))


def plot_history(history: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """One panel per curve family (learning rate, grad norm + clip rate, scale, norm |w|, bias |b|,
    update ratio), step on the x axis; saved to `path` (atomically; the format from its suffix).
    Needs matplotlib."""
    target = _check_path(path, "Monitor.plot")
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("Monitor.plot needs matplotlib: pip install stepguard[plot]") from e
    if not history:
        raise ValueError("nothing to plot: the Monitor recorded no steps yet")
    families: dict[str, list[str]] = {}
    for key in _curve_keys(history):
        fam = next(p for p in _CURVE_PREFIXES if key.startswith(p))
        families.setdefault(fam, []).append(key)
    fig, axes = plt.subplots(len(families), 1, figsize=(7, 2.2 * len(families)), sharex=True)
    axes = [axes] if len(families) == 1 else list(axes)
    for ax, (fam, keys) in zip(axes, families.items(), strict=True):
        for key in keys:
            pts = [(r["step"], r[key]) for r in history if key in r]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=key)
        ax.set_ylabel(fam.removesuffix("_group"))
        if len(keys) > 1:
            ax.legend(fontsize="small")
    axes[-1].set_xlabel("optimizer step")
    fig.tight_layout()
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=target.suffix.lstrip(".").lower() or "png")
    finally:
        plt.close(fig)
    atomic_write(target, buffer.getvalue())
