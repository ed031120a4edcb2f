"""What `stepguard demo` runs at each size (quick / default / full), and the summaries it reports.

`run_weight_decay(preset, ...)` and `run_accumulation(preset, ...)` return plain JSON-ready dicts
holding every number the report shows; `report.write_report` only formats them.
"""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stepguard.experiments import _accumulation as acc_exp
from stepguard.experiments import _loops as loops
from stepguard.experiments import _weight_decay as wd_exp
from stepguard.experiments._parallel import Runner
from stepguard.experiments._progress import Bars

__all__ = ["PRESETS", "Preset", "lint_findings", "run_accumulation", "run_weight_decay"]


@dataclass(frozen=True)
class Preset:
    """The size of a demo run."""

    name: str
    seeds: int
    weight_decays: tuple[float, ...]
    transformer: wd_exp.TaskSettings
    digits: wd_exp.TaskSettings
    accum_seeds: int
    exactness_updates: int
    accum_updates: int  # optimizer steps per accumulation run (the seed: 300)
    seed_settings_check: bool  # also train without the positional embedding (the seed's model)
    seed_exact: bool  # also run the seed's own TinyTransformer settings (slow)


_TRANSFORMER = wd_exp.TaskSettings(
    task="transformer", epochs=15, lr=2e-3, batch_size=128, n_train=2000, n_val=1000
)
_DIGITS = wd_exp.TaskSettings(task="digits", epochs=20, lr=3e-3, batch_size=64, hidden=64)
_WDS = (1e-3, 1e-2, 1e-1, 1.0)

PRESETS = {
    "quick": Preset(
        "quick",
        seeds=1,
        weight_decays=_WDS,
        transformer=replace(_TRANSFORMER, epochs=6),
        digits=replace(_DIGITS, epochs=8),
        accum_seeds=1,
        exactness_updates=20,
        accum_updates=300,
        seed_settings_check=False,
        seed_exact=False,
    ),
    "default": Preset(
        "default",
        seeds=2,
        weight_decays=_WDS,
        transformer=_TRANSFORMER,
        digits=_DIGITS,
        accum_seeds=2,
        exactness_updates=50,
        accum_updates=300,
        seed_settings_check=True,
        seed_exact=False,
    ),
    "full": Preset(
        "full",
        seeds=3,
        weight_decays=(1e-4, *_WDS),
        transformer=replace(_TRANSFORMER, epochs=25),
        digits=replace(_DIGITS, epochs=30),
        accum_seeds=3,
        exactness_updates=50,
        accum_updates=300,
        seed_settings_check=True,
        seed_exact=True,
    ),
}

# The seed's own TinyTransformer settings (seed 000), validation labelled by the same (W, b).
SEED_EXACT = wd_exp.TaskSettings(
    task="transformer_seed",
    epochs=10,
    lr=3e-4,
    batch_size=128,
    n_train=6000,
    n_val=2000,
    d_model=128,
    ff=256,
    positional=False,
)


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "min": min(values),
        "max": max(values),
        "std": statistics.pstdev(values) if len(values) > 1 else 0.0,
    }


def summarize_sweep(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (config, weight decay): final val acc / val loss / norm |w| / bias |b| over seeds."""
    keys = sorted({(r["config"], r["weight_decay"]) for r in runs}, key=lambda k: (k[1], k[0]))
    rows = []
    for config in wd_exp.CONFIGS:
        for c, wd in keys:
            if c != config:
                continue
            last = [r["epochs"][-1] for r in runs if r["config"] == c and r["weight_decay"] == wd]
            rows.append(
                {
                    "config": c,
                    "weight_decay": wd,
                    "seeds": len(last),
                    "val_acc": _spread([e["val_acc"] for e in last]),
                    "train_acc": _spread([e["train_acc"] for e in last]),
                    "val_loss": _spread([e["val_loss"] for e in last]),
                    "norm_w_abs": _spread([e["norm_w_abs"] for e in last]),
                    "bias_abs": _spread([e["bias_abs"] for e in last]),
                }
            )
    return rows


def val_acc_gaps(summary: list[dict[str, Any]], weight_decays: Sequence[float]) -> dict:
    """Mean final val acc of FIX minus BUG and FIX minus AdamW-on-all, per weight decay, and the
    weight decay where each gap is largest in absolute value."""
    mean = {(r["config"], r["weight_decay"]): r["val_acc"]["mean"] for r in summary}
    out: dict[str, Any] = {}
    for other in ("bug", "adamw_all"):
        gaps = [{"weight_decay": w, "gap": mean["fix", w] - mean[other, w]} for w in weight_decays]
        out[f"fix_minus_{other}"] = gaps
        out[f"fix_minus_{other}_largest"] = max(gaps, key=lambda g: abs(g["gap"]))
    return out


def _sweep(
    settings: wd_exp.TaskSettings,
    weight_decays: Sequence[float],
    seeds: Sequence[int],
    configs: Sequence[str],
    bars: Bars,
    title: str,
    runner: Runner,
) -> list[dict[str, Any]]:
    plan = [(wd, seed, c) for wd in weight_decays for seed in seeds for c in configs]
    return runner.map(
        wd_exp.run_one,
        [{"settings": settings, "config": c, "weight_decay": wd, "seed": s} for wd, s, c in plan],
        tick_arg="on_epoch",
        labels=[f"{c} wd={wd:g} seed={s}" for wd, s, c in plan],
        units=settings.epochs,
        bars=bars,
        title=title,
    )


def run_weight_decay(
    preset: Preset,
    seeds: int | None = None,
    bars: Bars | None = None,
    runner: Runner | None = None,
) -> dict:
    """Both weight-decay sweeps of `preset` (``seeds`` overrides its seed count); `runner` runs
    the training runs (default: one after the other in this process)."""
    bars = bars or Bars(enabled=False)
    runner = runner or Runner()
    seed_list = list(range(seeds if seeds is not None else preset.seeds))
    start = time.perf_counter()
    out: dict[str, Any] = {"weight_decays": list(preset.weight_decays), "seeds": seed_list}
    for name, settings in (("transformer", preset.transformer), ("digits", preset.digits)):
        runs = _sweep(
            settings,
            preset.weight_decays,
            seed_list,
            wd_exp.CONFIGS,
            bars,
            f"weight decay · {name}",
            runner,
        )
        summary = summarize_sweep(runs)
        out[name] = {
            "settings": settings.to_dict(),
            "runs": runs,
            "summary": summary,
            "gaps": val_acc_gaps(summary, preset.weight_decays),
        }
    agreement = [r["seed_val_label_agreement"] for r in out["transformer"]["runs"]]
    out["seed_checks"] = {
        "seed_val_label_agreement": statistics.fmean(agreement),
        "permutation_logit_diff": wd_exp.permutation_check(preset.transformer),
    }
    if preset.seed_settings_check:
        no_pos = replace(preset.transformer, positional=False)
        runs = _sweep(
            no_pos, (1e-2,), [0], ("bug", "fix"), bars, "seed's model: no positions", runner
        )
        out["seed_checks"]["no_positional"] = {
            "settings": no_pos.to_dict(),
            "summary": summarize_sweep(runs),
        }
    if preset.seed_exact:
        runs = _sweep(
            SEED_EXACT, (1e-2,), [0], ("bug", "fix"), bars, "seed's exact settings", runner
        )
        final = {r["config"]: r["epochs"][-1] for r in runs}
        out["seed_checks"]["seed_exact"] = {
            "settings": SEED_EXACT.to_dict(),
            "summary": summarize_sweep(runs),
            "norm_w_l2": {c: e["norm_w_l2"] for c, e in final.items()},
            "val_acc_gap": final["fix"]["val_acc"] - final["bug"]["val_acc"],
        }
    out["seconds"] = time.perf_counter() - start
    return out


def lint_findings(path: str | Path, source: str | None = None) -> list[dict[str, Any]]:
    """`stepguard.lint._rules.check_source` on a file: its findings as dicts (code, line, ...)."""
    from stepguard.lint._rules import check_source

    text = Path(path).read_text() if source is None else source
    return [v.finding.to_dict() for v in check_source(text, str(path))]


def _function_lines(func: Any) -> tuple[int, int]:
    lines, first = inspect.getsourcelines(func)
    return first, first + len(lines) - 1


def run_accumulation(
    preset: Preset,
    seeds: int | None = None,
    bars: Bars | None = None,
    runner: Runner | None = None,
) -> dict:
    """The accumulation experiment of `preset`: training curves (bug under clamped and unclamped
    cosine, fix), exactness, variable-length sequences, Monitor and linter findings."""
    bars = bars or Bars(enabled=False)
    runner = runner or Runner()
    seed_list = list(range(seeds if seeds is not None else preset.accum_seeds))
    start = time.perf_counter()
    updates = preset.accum_updates
    plan = [("bug", True), ("bug", False), ("fix", True)]
    if preset.name == "full":
        plan.append(("fix", False))
    jobs = [
        {"loop": loop, "clamp": clamp, "seed": seed, "updates": updates, "monitor": seed == 0}
        for seed in seed_list
        for loop, clamp in plan
    ]
    runs = runner.map(
        acc_exp.run_training,
        jobs,
        tick_arg="on_step",
        labels=[
            f"{j['loop']} {'clamped' if j['clamp'] else 'unclamped'} seed={j['seed']}" for j in jobs
        ],
        units=updates,
        bars=bars,
        title="accumulation · seed 003 MLP, k = 8",
    )
    # The fix never steps its scheduler past the end, where the two cosines differ.
    warmup = acc_exp.default_warmup(updates)
    clamped = acc_exp.cosine_schedule(updates, warmup, clamp=True)
    unclamped = acc_exp.cosine_schedule(updates, warmup, clamp=False)
    fix_schedule_gap = max(abs(clamped(s) - unclamped(s)) for s in range(updates))
    summary = []
    for loop, clamp in plan:
        sel = [r for r in runs if r["loop"] == loop and r["clamped"] == clamp]
        summary.append(
            {
                "loop": loop,
                "clamped": clamp,
                "seeds": len(sel),
                "heldout_acc": _spread([r["heldout_acc"] for r in sel]),
                "final_loss": _spread([r["final_loss"] for r in sel]),
                "clip_rate": _spread([r["clip_rate"] for r in sel]),
                "lr_sum": _spread([r["lr_sum"] for r in sel]),
                "scheduler_steps": sel[0]["scheduler_steps"],
                "optimizer_steps": len(sel[0]["lr"]),
            }
        )
    with bars.stage("accumulation · exactness, variable length", 3):
        exact = {}
        for name in ("adamw", "sgd"):
            with bars.run(f"exactness {name} float64", 1) as tick:
                exact[f"{name}_float64"] = acc_exp.exactness(name, preset.exactness_updates)
                tick()
        with bars.run("variable-length sequences", 1) as tick:
            varlen = acc_exp.variable_length()
            tick()
    loops_file = "stepguard/experiments/loops.py"
    loop_findings = lint_findings(Path(loops.__file__))
    for f in loop_findings:
        f["path"] = loops_file
    lint = {
        "file": loops_file,
        "train_buggy_lines": list(_function_lines(loops.train_buggy)),
        "train_fixed_lines": list(_function_lines(loops.train_fixed)),
        "findings": loop_findings,
    }
    examples = {}
    repo_examples = Path(__file__).resolve().parents[3] / "examples"
    for name in ("accumulation_bug.py", "weight_decay_bug.py", "weight_decay_fix.py"):
        path = repo_examples / name
        if path.is_file():
            found = lint_findings(path)
            for f in found:
                f["path"] = f"examples/{name}"
            examples[f"examples/{name}"] = found
    monitor = {
        f"{r['loop']}": r.pop("monitor")
        for r in runs
        if "monitor" in r and r["clamped"]  # seed 0, clamped schedule: one bug, one fix
    }
    for r in runs:
        r.pop("monitor", None)
    return {
        "settings": {
            "accum_steps": acc_exp.ACCUM,
            "micro_batch": acc_exp.MICRO,
            "updates": updates,
            "warmup": acc_exp.default_warmup(updates),
            "lr": 3e-3,
            "weight_decay": 1e-2,
            "clip": 1.0,
            "seeds": seed_list,
            "exactness_updates": preset.exactness_updates,
        },
        "runs": runs,
        "summary": summary,
        "fix_schedule_gap": fix_schedule_gap,
        "exactness": exact,
        "variable_length": varlen,
        "monitor": monitor,
        "lint": lint,
        "lint_examples": examples,
        "seconds": time.perf_counter() - start,
    }
