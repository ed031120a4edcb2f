"""Turn the demo's results into report.md, results.json and PNG plots (every number from the runs).

`write_report(results, out_dir)` formats what `suite.run_*` returned; nothing here computes a
result, so the JSON holds every number the Markdown shows (formatted with `fmt`).
"""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path
from typing import Any

from stepguard._files import atomic_write
from stepguard.experiments._format import LOOP_LABEL, fmt, row
from stepguard.experiments._out_dir import prepare_out_dir
from stepguard.experiments._report_text import render
from stepguard.experiments._weight_decay import CONFIG_LABELS, CONFIGS

__all__ = ["fmt", "headline_rows", "markdown", "write_plots", "write_report"]

_COLORS = {"bug": "#d62728", "adamw_all": "#ff7f0e", "fix": "#2ca02c"}


def headline_rows(results: dict[str, Any]) -> list[list[str]]:
    """The headline table: one row per measurement, BUG vs FIX, straight from the results."""
    rows: list[list[str]] = []
    wd = results.get("weight_decay")
    if wd:
        top = max(wd["weight_decays"])
        for task in ("transformer", "digits"):
            s = wd[task]["summary"]
            bug, fix = row(s, "bug", top), row(s, "fix", top)
            rows.append(
                [
                    f"{task}: val acc, wd={fmt(top)}",
                    fmt(bug["val_acc"]["mean"]),
                    fmt(fix["val_acc"]["mean"]),
                ]
            )
            rows.append(
                [
                    f"{task}: norm-layer mean \\|w\\| (init 1), wd={fmt(top)}",
                    fmt(bug["norm_w_abs"]["mean"]),
                    fmt(fix["norm_w_abs"]["mean"]),
                ]
            )
    acc = results.get("accumulation")
    if acc:
        by = {(r["loop"], r["clamped"]): r for r in acc["summary"]}
        bug, fix = by[("bug", True)], by[("fix", True)]
        rows.append(
            [
                f"accumulation: scheduler steps for {acc['settings']['updates']} updates",
                fmt(bug["scheduler_steps"]),
                fmt(fix["scheduler_steps"]),
            ]
        )
        rows.append(
            [
                "accumulation: Σ lr over the run",
                fmt(bug["lr_sum"]["mean"]),
                fmt(fix["lr_sum"]["mean"]),
            ]
        )
        rows.append(
            [
                "accumulation: clip rate",
                fmt(bug["clip_rate"]["mean"]),
                fmt(fix["clip_rate"]["mean"]),
            ]
        )
        rows.append(
            [
                "accumulation: held-out acc (clamped cosine)",
                fmt(bug["heldout_acc"]["mean"]),
                fmt(fix["heldout_acc"]["mean"]),
            ]
        )
        ex = acc["exactness"]["adamw_float64"]
        rows.append(
            [
                "accumulation vs one big batch: max \\|Δθ\\| (AdamW, float64)",
                fmt(ex["buggy_max_abs_diff"]),
                fmt(ex["accumulator_max_abs_diff"]),
            ]
        )
        vl = acc["variable_length"]
        rows.append(
            [
                "variable-length tokens: gradient rel. error vs big batch",
                fmt(vl["token_mean_per_micro_batch"]["grad_rel_l2_err"]),
                fmt(vl["item_weighted"]["grad_rel_l2_err"]),
            ]
        )
    return rows


def markdown(results: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    return render(results, headline_rows(results))


def write_plots(results: dict[str, Any], out: Path) -> list[str]:
    """Write the PNG plots into `out`; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names: list[str] = []
    wd = results.get("weight_decay")
    if wd:
        names += _plot_weight_decay(plt, wd, out)
    acc = results.get("accumulation")
    if acc:
        names.append(_plot_accumulation(plt, acc, out))
    return names


def _mean_curve(runs: list[dict[str, Any]], key: str) -> list[float]:
    epochs = len(runs[0]["epochs"])
    return [sum(r["epochs"][e][key] for r in runs) / len(runs) for e in range(epochs)]


def _plot_weight_decay(plt: Any, wd: dict[str, Any], out: Path) -> list[str]:
    names = []
    wds = wd["weight_decays"]
    for task in ("transformer", "digits"):
        runs = wd[task]["runs"]
        fig, axes = plt.subplots(2, len(wds), figsize=(3.1 * len(wds), 5.2), sharex=True)
        for j, w in enumerate(wds):
            for config in CONFIGS:
                sel = [r for r in runs if r["config"] == config and r["weight_decay"] == w]
                x = list(range(len(sel[0]["epochs"])))
                axes[0, j].plot(x, _mean_curve(sel, "val_acc"), color=_COLORS[config])
                axes[1, j].plot(
                    x, _mean_curve(sel, "norm_w_abs"), color=_COLORS[config], label=config
                )
            axes[0, j].set_title(f"wd = {w:g}", fontsize=9)
            axes[1, j].set_xlabel("epoch", fontsize=8)
        axes[0, 0].set_ylabel("val accuracy")
        axes[1, 0].set_ylabel("norm-layer mean |w|")
        axes[1, 0].legend(
            [CONFIG_LABELS[c] for c in CONFIGS], fontsize=6, loc="lower left", frameon=False
        )
        fig.suptitle(f"weight decay · {task}: mean over seeds", fontsize=10)
        fig.tight_layout()
        name = f"weight_decay_{task}_curves.png"
        _save(fig, out / name, dpi=72)
        plt.close(fig)
        names.append(name)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, task in zip(axes, ("transformer", "digits"), strict=True):
        for config in CONFIGS:
            rows = [r for r in wd[task]["summary"] if r["config"] == config]
            xs = [r["weight_decay"] for r in rows]
            mean = [r["val_acc"]["mean"] for r in rows]
            lo = [r["val_acc"]["mean"] - r["val_acc"]["min"] for r in rows]
            hi = [r["val_acc"]["max"] - r["val_acc"]["mean"] for r in rows]
            ax.errorbar(
                xs, mean, yerr=[lo, hi], marker="o", capsize=3, color=_COLORS[config],
                label=CONFIG_LABELS[config],
            )  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("weight decay")
        ax.set_ylabel("final val accuracy")
        ax.set_title(f"{task}: mean, bars min–max over seeds", fontsize=9)
    axes[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    name = "weight_decay_final_acc.png"
    _save(fig, out / name, dpi=80)
    plt.close(fig)
    return [*names, name]


def _plot_accumulation(plt: Any, acc: dict[str, Any], out: Path) -> str:
    runs = [r for r in acc["runs"] if r["seed"] == acc["settings"]["seeds"][0]]
    fig, axes = plt.subplots(2, 2, figsize=(9, 5.6))
    colors = {("bug", True): "#d62728", ("bug", False): "#9467bd", ("fix", True): "#2ca02c"}
    colors[("fix", False)] = "#17becf"
    for r in runs:
        key = (r["loop"], r["clamped"])
        x = list(range(1, len(r["lr"]) + 1))
        kw = {"color": colors[key], "label": LOOP_LABEL[key], "lw": 1}
        axes[0, 0].plot(x, r["lr"], **kw)
        axes[0, 1].plot(x, r["grad_norm"], **kw)
        axes[1, 0].plot(x, r["loss"], **kw)
    axes[0, 0].set_title("learning rate per optimizer step", fontsize=9)
    axes[0, 1].set_title("gradient norm before clipping (at the step)", fontsize=9)
    axes[0, 1].axhline(acc["settings"]["clip"], color="grey", ls=":", lw=1)
    axes[0, 1].set_yscale("log")
    axes[1, 0].set_title("training loss (mean over the window)", fontsize=9)
    axes[1, 0].set_yscale("log")
    for ax in (axes[0, 0], axes[0, 1], axes[1, 0]):
        ax.set_xlabel("optimizer step", fontsize=8)
    labels = [LOOP_LABEL[(s["loop"], s["clamped"])] for s in acc["summary"]]
    rates = [s["clip_rate"]["mean"] for s in acc["summary"]]
    cols = [colors[(s["loop"], s["clamped"])] for s in acc["summary"]]
    axes[1, 1].barh(range(len(rates)), rates, color=cols)
    for i, rate in enumerate(rates):
        axes[1, 1].text(rate + 0.02, i, fmt(rate), va="center", fontsize=8)
    axes[1, 1].set_yticks(range(len(rates)), [lab.replace(", ", "\n") for lab in labels])
    axes[1, 1].tick_params(axis="y", labelsize=7)
    axes[1, 1].set_xlim(0, 1)
    axes[1, 1].set_title("clip rate (clipping calls that clipped)", fontsize=9)
    axes[0, 0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    name = "accumulation_curves.png"
    _save(fig, out / name, dpi=80)
    plt.close(fig)
    return name


def _strict(value: Any) -> Any:
    """`value` with NaN/inf floats replaced by None, so results.json is strict JSON."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_report(results: dict[str, Any], out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``results.json``, the PNG plots and ``report.md`` into `out_dir` (created if
    missing; see `prepare_out_dir`); return ``{"markdown", "json", "plots": dir}`` paths.

    Every file is written atomically (`stepguard._files.atomic_write`): a failure leaves
    the previous file in place. A partial report (``results["partial"]``, from an interrupted
    run) is written without plots, so that it takes a fraction of a second.
    """
    if not isinstance(results, dict) or not isinstance(results.get("meta"), dict):
        raise TypeError(
            "results must be the dict run_demo() returned (with its 'meta'), got "
            f"{type(results).__name__}" + (" without 'meta'" if isinstance(results, dict) else "")
        )
    out = prepare_out_dir(out_dir)
    results = _strict(dict(results))
    results["plots"] = [] if results.get("partial") else write_plots(results, out)
    text = json.dumps(results, indent=1, allow_nan=False) + "\n"
    atomic_write(out / "results.json", text.encode("utf-8"))
    atomic_write(out / "report.md", markdown(results).encode("utf-8"))
    return {"markdown": out / "report.md", "json": out / "results.json", "plots": out}


def _save(fig: Any, path: Path, dpi: int) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    atomic_write(path, buffer.getvalue())
