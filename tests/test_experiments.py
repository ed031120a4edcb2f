"""Tests of the `stepguard demo` experiments on tiny settings: the bug-vs-fix direction where it is
robust, exactness, determinism, the detectors on the demo's loops, and the written report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from stepguard.experiments import _accumulation as acc_exp
from stepguard.experiments import _cli as demo_cli
from stepguard.experiments import _loops as loops
from stepguard.experiments import _suite as suite
from stepguard.experiments import _weight_decay as wd_exp
from stepguard.experiments._parallel import Runner
from stepguard.experiments._progress import Bars, DemoExtraMissing, require_demo_extras
from stepguard.experiments._report import fmt, headline_rows, write_report
from stepguard.experiments._suite import (
    PRESETS,
    lint_findings,
    run_accumulation,
    run_weight_decay,
)

DIGITS = wd_exp.TaskSettings(task="digits", epochs=3, lr=3e-3, batch_size=64, hidden=32)
TRANSFORMER = wd_exp.TaskSettings(
    task="transformer", epochs=1, lr=2e-3, batch_size=128, n_train=256, n_val=128, d_model=16, ff=32
)


@pytest.fixture(autouse=True)
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def test_coupled_decay_shrinks_norm_weights_and_param_groups_keep_them():
    bug = wd_exp.run_one(DIGITS, "bug", 0.1, seed=0)["epochs"][-1]
    fix = wd_exp.run_one(DIGITS, "fix", 0.1, seed=0)["epochs"][-1]
    assert bug["norm_w_abs"] < 0.9  # init 1: coupled L2 pulls LayerNorm gains down
    assert fix["norm_w_abs"] > 0.99  # param_groups leaves them undecayed
    assert bug["bias_abs"] < fix["bias_abs"]


def test_adamw_on_all_params_decays_norm_weights_that_param_groups_exclude():
    all_ = wd_exp.run_one(DIGITS, "adamw_all", 1.0, seed=0)["epochs"][-1]
    fix = wd_exp.run_one(DIGITS, "fix", 1.0, seed=0)["epochs"][-1]
    assert all_["norm_w_abs"] < fix["norm_w_abs"] - 0.05


def test_fix_optimizer_uses_stepguard_param_groups():
    torch.manual_seed(0)
    model = wd_exp.DigitsMLP(8)
    opt = wd_exp.make_optimizer("fix", model, 1e-3, 0.1)
    decays = {id(p): g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    norm = model.net[1]
    assert decays[id(norm.weight)] == 0.0 and decays[id(model.net[0].bias)] == 0.0
    assert decays[id(model.net[0].weight)] == 0.1
    assert isinstance(wd_exp.make_optimizer("bug", model, 1e-3, 0.1), torch.optim.Adam)
    with pytest.raises(ValueError, match="unknown configuration"):
        wd_exp.make_optimizer("sgd", model, 1e-3, 0.1)


def test_without_positions_the_seed_model_cannot_tell_tokens_apart():
    diff = wd_exp.permutation_check(TRANSFORMER)
    assert diff["without_positional"] < 1e-5
    assert diff["with_positional"] > 1e-2


def test_weight_decay_run_is_deterministic():
    a = wd_exp.run_one(TRANSFORMER, "bug", 0.01, seed=1)
    b = wd_exp.run_one(TRANSFORMER, "bug", 0.01, seed=1)
    assert a == b
    assert a["epochs"][-1]["val_acc"] == b["epochs"][-1]["val_acc"]


def test_buggy_loop_steps_the_schedule_k_times_per_update():
    updates = 12
    bug = acc_exp.run_training("bug", clamp=True, seed=0, updates=updates)
    fix = acc_exp.run_training("fix", clamp=True, seed=0, updates=updates)
    factor = acc_exp.cosine_schedule(updates, acc_exp.default_warmup(updates), clamp=True)
    assert bug["scheduler_steps"] == updates * acc_exp.ACCUM
    assert fix["scheduler_steps"] == updates
    # lr used by optimizer step u: after 8(u+1) scheduler steps (BUG) vs u steps (FIX)
    assert bug["lr"] == [pytest.approx(3e-3 * factor(8 * (u + 1)), abs=1e-15) for u in range(12)]
    assert fix["lr"] == [pytest.approx(3e-3 * factor(u), abs=1e-15) for u in range(12)]
    assert bug["clip_calls"] == updates * acc_exp.ACCUM and fix["clip_calls"] == updates
    assert bug["clip_rate"] > fix["clip_rate"]


def test_accumulation_run_is_deterministic():
    a = acc_exp.run_training("fix", clamp=False, seed=2, updates=5)
    b = acc_exp.run_training("fix", clamp=False, seed=2, updates=5)
    assert a == b


def test_accumulator_matches_big_batch_in_float64_and_buggy_loop_does_not():
    for name in ("adamw", "sgd"):
        result = acc_exp.exactness(name, updates=4)
        assert result["accumulator_max_abs_diff"] <= 1e-12
        assert result["buggy_max_abs_diff"] > 1e-4


def test_item_weighting_matches_big_batch_and_token_means_do_not():
    result = acc_exp.variable_length(windows=2)
    assert result["tokens_per_micro_batch_max"] > 2 * result["tokens_per_micro_batch_min"]
    exact, mean = result["item_weighted"], result["token_mean_per_micro_batch"]
    assert exact["grad_rel_l2_err"] <= 1e-12 and exact["loss_max_abs_err"] <= 1e-12
    assert mean["grad_rel_l2_err"] > 1e-2 and mean["loss_max_abs_err"] > 1e-4


def test_monitor_flags_buggy_loop_and_is_silent_on_fixed_loop():
    bug = acc_exp.run_training("bug", clamp=True, seed=0, updates=3, monitor=True)
    fix = acc_exp.run_training("fix", clamp=True, seed=0, updates=3, monitor=True)
    codes = {f["code"] for f in bug["monitor"]["findings"]}
    assert {"SG201", "SG202", "SG203"} <= codes
    assert fix["monitor"]["findings"] == []


def test_linter_flags_train_buggy_and_not_train_fixed():
    import inspect

    found = lint_findings(Path(loops.__file__))
    lines, first = inspect.getsourcelines(loops.train_buggy)
    in_buggy = {f["code"] for f in found if first <= f["line"] < first + len(lines)}
    assert {"SG201", "SG202", "SG203"} <= in_buggy
    lines, first = inspect.getsourcelines(loops.train_fixed)
    assert [f for f in found if first <= f["line"] < first + len(lines)] == []


@pytest.mark.slow
def test_worker_processes_give_the_same_numbers_as_one_process():
    jobs = [
        {"settings": TRANSFORMER, "config": c, "weight_decay": 0.1, "seed": 0}
        for c in ("bug", "fix")
    ]
    kw = {
        "tick_arg": "on_epoch",
        "labels": ["a", "b"],
        "units": 1,
        "bars": Bars(False),
        "title": "",
    }
    here = Runner(1).map(wd_exp.run_one, jobs, **kw)
    runner = Runner(2)
    try:
        there = runner.map(wd_exp.run_one, jobs, **kw)
    finally:
        runner.close()
    assert there == here


def test_missing_demo_extra_names_the_install_command(monkeypatch, capsys):
    with pytest.raises(DemoExtraMissing, match=r"pip install stepguard\[demo\]"):
        require_demo_extras(("surely_not_installed_pkg",))

    def missing() -> None:
        require_demo_extras(("surely_not_installed_pkg",))

    monkeypatch.setattr(demo_cli, "require_demo_extras", missing)
    assert demo_cli.main(["--quick"]) == 2
    assert "pip install stepguard[demo]" in capsys.readouterr().err


def test_demo_command_rejects_bad_options(capsys):
    for argv in (
        ["--seeds", "0"],
        ["--quick", "--full"],
        ["nonsense"],
        ["--workers", "0"],
        ["--workers", "100000"],
        ["--threads", "x"],
    ):
        with pytest.raises(SystemExit) as exc:
            demo_cli.main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and err.startswith("stepguard demo: "), err
    with pytest.raises(ValueError, match="preset must be one of"):
        demo_cli.run_demo(preset="huge")


def _never_run(*args, **kwargs):
    raise AssertionError("an experiment ran although the options were bad")


def test_demo_rejects_a_bad_out_before_running_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo_cli, "run_demo", _never_run)
    a_file = tmp_path / "a_file"
    a_file.write_text("keep me")
    (tmp_path / "has_dir" / "report.md").mkdir(parents=True)
    cases = {
        "": r"--out must name a directory .*got ''",
        "   ": r"--out must name a directory",
        str(a_file): r"is a file, not a directory",
        str(a_file / "sub"): r"cannot be written \(Not a directory\)",
        str(tmp_path / "has_dir"): r"holds a directory named 'report.md'",
    }
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases[str(locked)] = r"cannot be written \(Permission denied\)"
    for out, message in cases.items():
        assert demo_cli.main(["--quick", "--out", out]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and re.search(message, err), (out, err)
    assert a_file.read_text() == "keep me"
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["a_file", "has_dir", *(["locked"] if os.geteuid() != 0 else [])]
    )  # nothing created beside them (no probe file left)


def test_demo_checks_out_before_importing_torch():
    # The check is done by the time a second has passed: before torch (seconds) is imported.
    code = (
        "import sys; from stepguard.cli import main; rc = main(['demo', '--out', '']); "
        "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "--out must name a directory" in proc.stderr


def _tiny_preset():
    return replace(
        PRESETS["quick"],
        weight_decays=(1e-3, 1e-1),
        transformer=TRANSFORMER,
        digits=replace(DIGITS, epochs=1),
        exactness_updates=2,
        accum_updates=4,
        seed_settings_check=False,
    )


def test_interrupted_demo_keeps_what_finished_as_a_partial_report(tmp_path, monkeypatch):
    # Ctrl-C during the second accumulation run: the weight-decay experiment is complete, one
    # accumulation run finished; run_demo raises DemoInterrupted carrying both.
    monkeypatch.setitem(suite.PRESETS, "quick", _tiny_preset())
    real = acc_exp.run_training
    calls = []

    def interrupted_on_second_call(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(acc_exp, "run_training", interrupted_on_second_call)
    with pytest.raises(demo_cli.DemoInterrupted) as stop:
        demo_cli.run_demo("all", "quick", seeds=1)
    results = stop.value.results
    partial = results["partial"]
    assert partial["reason"] == "interrupted" and results["meta"]["partial"] is True
    assert partial["complete"] == ["weight_decay"] and "accumulation" not in results
    assert partial["interrupted"] == "accumulation"
    [run] = partial["finished_runs"]
    assert run["label"] == "bug clamped seed=0" and run["result"]["scheduler_steps"] == 32

    paths = write_report(results, tmp_path / "out")
    text = paths["markdown"].read_text()
    data = json.loads(paths["json"].read_text())
    assert text.startswith("# stepguard demo report (PARTIAL)")
    assert "**PARTIAL REPORT: the run was interrupted after" in text
    assert "The weight-decay experiment is complete below." in text
    assert "## Weight decay (seeds 000–002)" in text and "## Gradient accumulation" not in text
    assert "| accumulation · seed 003 MLP, k = 8 | bug clamped seed=0 | held-out acc " in text
    assert data["plots"] == [] and not list((tmp_path / "out").glob("*.png"))
    assert data["partial"]["finished_runs"][0]["result"]["heldout_acc"] == pytest.approx(
        run["result"]["heldout_acc"]
    )
    # the command turns it into one line on stderr and exit 130
    monkeypatch.setattr(acc_exp, "run_training", real)


def test_demo_command_writes_the_partial_report_and_exits_130(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        results = {
            "meta": _META,
            "partial": {
                "reason": "interrupted",
                "complete": [],
                "interrupted": "weight_decay",
                "finished_runs": [],
            },
        }
        raise demo_cli.DemoInterrupted(results, "interrupted")

    monkeypatch.setattr(demo_cli, "run_demo", interrupted)
    assert demo_cli.main(["--quick", "--out", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "wrote a PARTIAL report" in err
    assert "No experiment completed." in (tmp_path / "report.md").read_text()


_META = {
    "command": "test",
    "preset": "tiny",
    "which": "all",
    "torch": "x",
    "threads": 1,
    "workers": 1,
    "seconds": 1.0,
    "cpu_seconds": 1.0,
}


def test_a_failed_report_write_leaves_the_previous_report_intact(tmp_path):
    # Writing under a file-size limit fails; the previous report stays byte-identical and no
    # temporary file is left beside it.
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text('{"old": 1}\n')
    (out / "report.md").write_text("# old report\n")
    script = f"""
import resource, signal
from stepguard.experiments import write_report
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
runs = [{{"stage": "s", "label": str(i), "result": {{"heldout_acc": 0.5}}}} for i in range(500)]
results = {{"meta": {_META!r}, "partial": {{"reason": "interrupted", "complete": [],
           "interrupted": "accumulation", "finished_runs": runs}}}}
try:
    write_report(results, {str(out)!r})
except OSError as exc:
    print("failed:", exc.errno)
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "failed: 27" in proc.stdout, proc.stdout + proc.stderr  # EFBIG
    assert (out / "results.json").read_text() == '{"old": 1}\n'
    assert (out / "report.md").read_text() == "# old report\n"
    assert sorted(os.listdir(out)) == ["report.md", "results.json"]


# Ctrl-C, SIGTERM and SIGKILL against the real multi-process demo (workers stop, a PARTIAL
# report is written, no worker outlives the command) are reliability cases:
# tests/reliability/reliability_cases_demo.py.


def test_report_files_hold_the_numbers_shown(tmp_path):
    tiny = replace(
        PRESETS["quick"],
        weight_decays=(1e-3, 1e-1),
        transformer=TRANSFORMER,
        digits=replace(DIGITS, epochs=1),
        exactness_updates=2,
        accum_updates=4,
        seed_settings_check=True,
    )
    results = {
        "weight_decay": run_weight_decay(tiny, seeds=1),
        "accumulation": run_accumulation(tiny, seeds=1),
        "meta": {
            "command": "test",
            "preset": "tiny",
            "which": "all",
            "torch": "x",
            "threads": 1,
            "workers": 1,
            "seconds": 1.0,
            "cpu_seconds": 1.0,
        },
    }
    paths = write_report(results, tmp_path / "out")
    text = paths["markdown"].read_text()
    data = json.loads(paths["json"].read_text())
    for name in data["plots"]:
        png = tmp_path / "out" / name
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size < 200_000
        assert f"]({name})" in text
    # the headline table in report.md is exactly what the JSON's numbers format to
    rows = headline_rows(data)
    assert len(rows) == 10
    for row in rows:
        assert "| " + " | ".join(row) + " |" in text
    ex = data["accumulation"]["exactness"]["adamw_float64"]
    assert fmt(ex["accumulator_max_abs_diff"]) in rows[8][2]
    fix = next(r for r in data["weight_decay"]["digits"]["summary"] if r["config"] == "fix")
    assert fmt(fix["norm_w_abs"]["mean"]) in text
    # every number in the report's tables appears in the JSON (formatted the same way)
    # (finding rows quote source code and messages: their numbers are text, not results)
    prose = "\n".join(ln for ln in text.splitlines() if not ln.startswith("| SG"))
    numbers = set(re.findall(r"(?<![\w.])\d+\.\d+(?:e[-+]\d+)?", prose))
    formatted = {fmt(v) for v in _floats(data)} | {fmt(v, 1) for v in _floats(data)}
    assert numbers - formatted == set()


def _floats(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _floats(v)
    elif isinstance(value, list):
        for v in value:
            yield from _floats(v)
    elif isinstance(value, float):
        yield value
