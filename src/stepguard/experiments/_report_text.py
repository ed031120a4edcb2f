"""The Markdown text of the demo report: sections rendered from the results dict only."""

from __future__ import annotations

from typing import Any

from stepguard.experiments._format import LOOP_LABEL, fmt, pm, row, table
from stepguard.experiments._weight_decay import CONFIG_LABELS, CONFIGS

__all__ = ["render"]


def render(results: dict[str, Any], headline: list[list[str]]) -> str:
    """report.md: header, headline table, weight-decay and accumulation sections; a partial
    report (``results["partial"]``) says so first and lists the runs that finished last."""
    meta = results["meta"]
    partial = results.get("partial")
    parts = [
        "# stepguard demo report" + (" (PARTIAL)" if partial else "") + "\n",
        f"`{meta['command']}` · preset **{meta['preset']}** · torch {meta['torch']} · "
        f"{meta['workers']} worker process(es) × {meta['threads']} thread(s) · experiments {fmt(meta['seconds'], 1)} s wall, "
        f"{fmt(meta['cpu_seconds'], 1)} s CPU. Every number below is read "
        "from `results.json`, written by this run.\n",
    ]
    if partial:
        parts.append(_partial_banner(partial, meta))
    if headline:
        parts += ["## Headline: BUG vs FIX\n", table(["measurement", "BUG", "FIX"], headline), ""]
    if "weight_decay" in results:
        parts.append(_weight_decay(results["weight_decay"], results.get("plots", [])))
    if "accumulation" in results:
        parts.append(_accumulation(results["accumulation"], results.get("plots", [])))
    if partial and partial["finished_runs"]:
        parts.append(_finished_runs(partial))
    return "\n".join(parts) + "\n"


_EXPERIMENT = {"weight_decay": "weight-decay", "accumulation": "accumulation"}


def _partial_banner(partial: dict[str, Any], meta: dict[str, Any]) -> str:
    complete = [_EXPERIMENT[k] for k in partial["complete"]]
    done = (
        f"The {' and '.join(complete)} experiment{'s are' if len(complete) > 1 else ' is'} "
        "complete below."
        if complete
        else "No experiment completed."
    )
    interrupted = partial.get("interrupted")
    runs = len(partial["finished_runs"])
    cut = (
        f" The {_EXPERIMENT[interrupted]} experiment was cut short after {runs} training "
        "run(s): they are listed at the end (every number in `results.json`, "
        "`partial.finished_runs`)."
        if interrupted
        else ""
    )
    return (
        f"> **PARTIAL REPORT: the run was {partial['reason']} after {fmt(meta['seconds'], 1)} "
        f"s.** {done}{cut} No plots were drawn. Run the command again for the full report.\n"
    )


def _run_outcome(result: dict[str, Any]) -> str:
    if result.get("epochs"):
        last = result["epochs"][-1]
        return (
            f"val acc {fmt(last.get('val_acc'))}, norm-layer mean \\|w\\| "
            f"{fmt(last.get('norm_w_abs'))} after epoch {fmt(last.get('epoch'))}"
        )
    if "heldout_acc" in result:
        return (
            f"held-out acc {fmt(result['heldout_acc'])}, scheduler steps "
            f"{fmt(result.get('scheduler_steps'))}, clip rate {fmt(result.get('clip_rate'))}"
        )
    return "finished"


def _finished_runs(partial: dict[str, Any]) -> str:
    rows = [[r["stage"], r["label"], _run_outcome(r["result"])] for r in partial["finished_runs"]]
    return (
        "## Training runs that finished before the interruption\n\n"
        + table(["stage", "run", "outcome"], rows)
        + "\n"
    )


def _img(name: str, plots: list[str]) -> str:
    return f"![{name}]({name})\n" if name in plots else ""


def _weight_decay(wd: dict[str, Any], plots: list[str]) -> str:
    checks = wd["seed_checks"]
    perm = checks["permutation_logit_diff"]
    t = wd["transformer"]["settings"]
    d = wd["digits"]["settings"]
    out = [
        "## Weight decay (seeds 000–002)\n",
        "Configurations: " + "; ".join(f"`{c}` = {CONFIG_LABELS[c]}" for c in CONFIGS) + ". "
        f"Weight decay {', '.join(fmt(w) for w in wd['weight_decays'])}; seeds "
        f"{', '.join(str(s) for s in wd['seeds'])}; gradient clipping at {fmt(t['clip'], 1)} "
        "as in the seed.\n",
        "**Tasks.** *transformer*: the seed's TinyTransformer task (20 Gaussian features read as 5 "
        "tokens of 4, label `argmax(X @ W + b)`, 5 classes), scaled to run on a CPU: "
        f"d_model {t['d_model']}, feed-forward {t['ff']}, {t['n_train']} training / "
        f"{t['n_val']} validation points, batch {t['batch_size']}, lr {fmt(t['lr'])}, "
        f"{t['epochs']} epochs. *digits*: `sklearn.datasets.load_digits` (75 % train / 25 % "
        f"validation), MLP 64-{d['hidden']}-{d['hidden']}-10 with a LayerNorm after each hidden "
        f"Linear, batch {d['batch_size']}, lr {fmt(d['lr'])}, {d['epochs']} epochs.\n",
        "**Two corrections to the seed's script.** (1) It labels its validation set with a *new* "
        f"random `(W, b)`: only {fmt(checks['seed_val_label_agreement'])} of validation labels "
        "agree with the training rule, so its validation accuracy measures chance. Here the "
        "validation set uses the same `(W, b)`. (2) Its model has no positional information: "
        "permuting the 5 tokens changes a fresh model's logits by at most "
        f"{fmt(perm['without_positional'])} (with a learned positional embedding: "
        f"{fmt(perm['with_positional'])}), so it cannot tell which feature is where and barely "
        "learns. We add a learned positional `nn.Embedding(5, d)`.",
    ]
    if "no_positional" in checks:
        s = checks["no_positional"]["summary"]
        bug, fix = row(s, "bug", 1e-2), row(s, "fix", 1e-2)
        out.append(
            "\nSame settings without the positional embedding (the seed's model), wd "
            f"{fmt(bug['weight_decay'])}, seed 0: "
            f"val acc BUG {fmt(bug['val_acc']['mean'])}, FIX {fmt(fix['val_acc']['mean'])}"
            + _no_positional_verdict(fix["val_acc"]["mean"], wd["transformer"]["summary"])
        )
    if "seed_exact" in checks:
        s = checks["seed_exact"]["summary"]
        st = checks["seed_exact"]["settings"]
        bug, fix = row(s, "bug", 1e-2), row(s, "fix", 1e-2)
        l2 = checks["seed_exact"]["norm_w_l2"]
        out.append(
            f"\n**The seed's own settings** (d_model {st['d_model']}, {st['n_train']} points, lr "
            f"{fmt(st['lr'])}, {st['epochs']} epochs, no positional embedding, wd "
            f"{fmt(bug['weight_decay'])}, seed 0): "
            f"val acc BUG {fmt(bug['val_acc']['mean'])}, FIX {fmt(fix['val_acc']['mean'])} (FIX − "
            f"BUG {fmt(checks['seed_exact']['val_acc_gap'])}); the seed's `norm|w|` (mean L2 of "
            f"the LayerNorm weight vectors) BUG {fmt(l2['bug'])}, FIX {fmt(l2['fix'])}. "
            + _seed_exact_verdict(checks["seed_exact"]["val_acc_gap"], l2["bug"], l2["fix"])
        )
    else:
        out.append(
            "\nThe seed's own settings (d_model 128, 6000 points, lr 3e-4, 10 epochs, no "
            "positional embedding) are run by `stepguard demo --full`."
        )
    for task in ("transformer", "digits"):
        out.append(_sweep_section(task, wd, plots))
    out.append(_img("weight_decay_final_acc.png", plots))
    return "\n".join(out) + "\n"


def _no_positional_verdict(fix_no_pos: float, summary: list[dict[str, Any]]) -> str:
    with_pos = next(
        (r for r in summary if r["config"] == "fix" and r["weight_decay"] == 1e-2), None
    )
    if with_pos is None:
        return "."
    acc = with_pos["val_acc"]["mean"]
    if fix_no_pos < acc - 0.1:
        return (
            f" (FIX with the positional embedding: {fmt(acc)}): without it the model barely "
            "learns, so no accuracy effect of weight decay can show with the seed's model."
        )
    return f" (FIX with the positional embedding: {fmt(acc)})."


def _seed_exact_verdict(gap: float, l2_bug: float, l2_fix: float) -> str:
    acc = (
        "The seed's accuracy claim reproduces at its own settings."
        if gap > 0.02
        else "The seed's accuracy claim does not reproduce at its own settings (gap within "
        "0.02); the sweep below uses settings where the effect is visible."
    )
    norm = (
        " Its `norm|w|` signal does: the LayerNorm weights shrink under BUG only."
        if l2_bug < l2_fix - 0.1
        else " Its `norm|w|` signal does not show here either."
    )
    return acc + norm


def _sweep_section(task: str, wd: dict[str, Any], plots: list[str]) -> str:
    summary = wd[task]["summary"]
    head = ["wd", *(f"val acc {c}" for c in CONFIGS), *(f"norm \\|w\\| {c}" for c in CONFIGS)]
    head += [f"bias \\|b\\| {c}" for c in CONFIGS]
    rows = []
    for w in wd["weight_decays"]:
        r = {c: row(summary, c, w) for c in CONFIGS}
        rows.append(
            [fmt(w)]
            + [pm(r[c]["val_acc"]) for c in CONFIGS]
            + [fmt(r[c]["norm_w_abs"]["mean"]) for c in CONFIGS]
            + [fmt(r[c]["bias_abs"]["mean"]) for c in CONFIGS]
        )
    gaps = wd[task]["gaps"]
    big, big_all = gaps["fix_minus_bug_largest"], gaps["fix_minus_adamw_all_largest"]
    top = max(wd["weight_decays"])
    norms = {c: row(summary, c, top)["norm_w_abs"]["mean"] for c in CONFIGS}
    text = (
        f"\n### {task}\n\nFinal-epoch values; val acc as mean (min–max over seeds), norm \\|w\\| = "
        "mean |w| over all normalization-layer weights (init 1), bias \\|b\\| = mean |b| over all "
        "biases.\n\n"
        + table(head, rows)
        + f"\n\nLargest val-acc gap FIX − BUG: {fmt(big['gap'])} at wd "
        f"{fmt(big['weight_decay'])}; FIX − AdamW-on-all: {fmt(big_all['gap'])} at wd "
        f"{fmt(big_all['weight_decay'])} (largest in absolute value). At wd "
        f"{fmt(top)} the norm-layer weights end at "
        + ", ".join(f"{fmt(norms[c])} ({c})" for c in CONFIGS)
        + ".\n\n"
        + _img(f"weight_decay_{task}_curves.png", plots)
    )
    return text


def _accumulation(acc: dict[str, Any], plots: list[str]) -> str:
    st = acc["settings"]
    by = {(s["loop"], s["clamped"]): s for s in acc["summary"]}
    head = [
        "loop",
        "optimizer steps",
        "scheduler steps",
        "Σ lr",
        "clip rate",
        "final loss",
        "held-out acc",
    ]
    rows = [
        [
            LOOP_LABEL[key],
            fmt(s["optimizer_steps"]),
            fmt(s["scheduler_steps"]),
            pm(s["lr_sum"]),
            pm(s["clip_rate"]),
            pm(s["final_loss"]),
            pm(s["heldout_acc"]),
        ]
        for key, s in by.items()
    ]
    seed0 = st["seeds"][0]
    bug_clamped = next(
        r for r in acc["runs"] if r["loop"] == "bug" and r["clamped"] and r["seed"] == seed0
    )
    zero_from = next((i + 1 for i, lr in enumerate(bug_clamped["lr"]) if lr == 0.0), None)
    bc, bu, fx = by[("bug", True)], by[("bug", False)], by[("fix", True)]
    ex = acc["exactness"]
    vl = acc["variable_length"]
    out = [
        "## Gradient accumulation (seed 003)\n",
        f"The seed's task: MLP 20-128-2, micro-batch {st['micro_batch']}, k = {st['accum_steps']}, "
        f"{st['updates']} optimizer steps, warmup {st['warmup']} + cosine, lr {fmt(st['lr'])}, "
        f"clip {fmt(st['clip'], 1)}; seeds {', '.join(str(s) for s in st['seeds'])}. BUG = the "
        "seed's loop (`stepguard/experiments/loops.py: train_buggy`: no `/k`, clip and "
        "`scheduler.step()` on every micro-batch); FIX = `Accumulator` (`train_fixed`). Both use "
        f"`AdamW(param_groups(model, {fmt(st['weight_decay'])}))` so the loop is the only difference "
        "(the seed also "
        "switches Adam → AdamW between its two runs).\n",
        table(head, rows),
        "\n**The outcome depends on the schedule; both are shown.** Under the seed's clamped "
        "cosine (`min(1, t)`) the BUG schedule runs out after "
        f"{st['updates'] // st['accum_steps']} of {st['updates']} updates"
        + (f" (lr = 0 from optimizer step {zero_from} on, seed {seed0})" if zero_from else "")
        + f": Σ lr {fmt(bc['lr_sum']['mean'])} vs {fmt(fx['lr_sum']['mean'])}, held-out accuracy "
        f"{fmt(bc['heldout_acc']['mean'])} vs FIX {fmt(fx['heldout_acc']['mean'])}. Under the "
        "unclamped cosine (transformers' formula) the BUG learning rate cycles up and down "
        f"instead; held-out accuracy {fmt(bu['heldout_acc']['mean'])} vs FIX "
        f"{fmt(fx['heldout_acc']['mean'])}"
        + _verdict(bu["heldout_acc"]["mean"], fx["heldout_acc"]["mean"])
        + " What holds under both: the schedule steps "
        f"{fmt(bc['scheduler_steps'])} times for {fmt(bc['optimizer_steps'])} updates, and "
        f"clipping fires on {fmt(bc['clip_rate']['mean'])} / {fmt(bu['clip_rate']['mean'])} of "
        f"BUG's calls vs {fmt(fx['clip_rate']['mean'])} for FIX. FIX's {st['updates']} "
        "scheduler steps never pass the end, where the two cosines differ (max factor "
        f"difference over its steps: {fmt(acc['fix_schedule_gap'])})"
        + (
            ", so its clamped run stands for both schedules.\n"
            if ("fix", False) not in by
            else "; its unclamped run is in the table.\n"
        ),
        _img("accumulation_curves.png", plots),
        f"\n### Exactness: k × {st['micro_batch']} vs one batch of "
        f"{st['micro_batch'] * st['accum_steps']}\n\nfloat64, {st['exactness_updates']} "
        "updates, clip 1.0 and a cosine schedule in every loop, same data order; max |Δθ| "
        "against the big batch.\n",
        table(
            ["optimizer", "Accumulator", "seed's buggy loop", "max \\|θ\\|"],
            [
                [
                    name.replace("_float64", ""),
                    fmt(v["accumulator_max_abs_diff"]),
                    fmt(v["buggy_max_abs_diff"]),
                    fmt(v["param_max_abs"]),
                ]
                for name, v in ex.items()
            ],
        ),
        f"\n### Variable-length sequences (SG207)\n\nNext-token loss on padded sequences, "
        f"{vl['tokens_per_micro_batch_min']}–{vl['tokens_per_micro_batch_max']} tokens per "
        f"micro-batch, k = {st['accum_steps']}, {vl['windows']} windows, float64; worst window "
        "against the big batch (token mean over the whole window).\n",
        table(
            ["normalisation", "loss error", "grad max \\|Δ\\|", "grad relative L2 error"],
            [
                [
                    label,
                    fmt(vl[key]["loss_max_abs_err"]),
                    fmt(vl[key]["grad_max_abs_err"]),
                    fmt(vl[key]["grad_rel_l2_err"]),
                ]
                for key, label in (
                    ("token_mean_per_micro_batch", "per-micro-batch token means, / k"),
                    ("item_weighted", "`acc.backward(loss_sum, items=tokens)`"),
                )
            ],
        ),
        _detectors(acc),
    ]
    return "\n".join(out) + "\n"


def _verdict(bug: float, fix: float, tolerance: float = 0.005) -> str:
    if bug < fix - tolerance:
        return " — BUG is worse here too."
    if bug > fix + tolerance:
        return (
            " — the cycling schedule happens to help here, so the seed's claim of worse "
            "metrics does not reproduce under this schedule."
        )
    return " — no accuracy difference under this schedule (within 0.005)."


def _findingstable(findings: list[dict[str, Any]], with_step: bool) -> str:
    if not findings:
        return "no findings\n"
    head = ["code", "name", "severity", "step (count)" if with_step else "where", "message"]
    rows = []
    for f in findings:
        where = (
            f"{f.get('step', '')} (x{f.get('count', 1)})"
            if with_step
            else f"{f.get('path', '')}:{f.get('line', '')}"
        )
        msg = f["message"].replace("|", "\\|").replace("\n", " ")
        rows.append([f["code"], f["name"], f["severity"], where, msg])
    return table(head, rows) + "\n"


def _detectors(acc: dict[str, Any]) -> str:
    out = ["\n### The detectors on the same loops\n"]
    mon = acc.get("monitor", {})
    for loop in ("bug", "fix"):
        if loop in mon:
            out.append(
                f"**Monitor** around the {'BUG' if loop == 'bug' else 'FIX'} loop (seed "
                f"{acc['settings']['seeds'][0]}, clamped cosine):\n"
            )
            out.append(_findingstable(mon[loop]["findings"], with_step=True))
    lint = acc["lint"]
    bug_lines, fix_lines = lint["train_buggy_lines"], lint["train_fixed_lines"]
    in_fix = [f for f in lint["findings"] if fix_lines[0] <= f.get("line", 0) <= fix_lines[1]]
    out.append(
        f"**Linter** (`stepguard lint`) on `{lint['file']}` — `train_buggy` is lines "
        f"{bug_lines[0]}–{bug_lines[1]}, `train_fixed` lines {fix_lines[0]}–{fix_lines[1]} "
        f"({len(in_fix)} finding(s) inside `train_fixed`):\n"
    )
    out.append(_findingstable(lint["findings"], with_step=False))
    for path, found in acc.get("lint_examples", {}).items():
        out.append(f"**Linter** on `{path}`:\n")
        out.append(_findingstable(found, with_step=False))
    return "\n".join(out)
