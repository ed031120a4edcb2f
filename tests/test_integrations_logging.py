"""Monitor history reaches TensorBoard event files and callable loggers, with the right steps."""

from __future__ import annotations

import logging
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

from stepguard.findings import Finding, Report
from stepguard.groups import param_groups
from stepguard.integrations.loggers import (
    log_findings,
    log_history,
    monitor_log,
    recent_scalars,
    scalars,
    tensorboard_writer,
)
from stepguard.monitoring import Monitor

HISTORY = [
    {"step": 1, "lr": [1e-3, 5e-4], "grad_norm": 2.5, "clipped": True, "norm": {"mean_abs_w": 1.0}},
    {"step": 2, "lr": [9e-4, 4e-4], "grad_norm": torch.tensor(0.5), "clipped": False, "note": "x"},
    {"step": 3, "lr": [8e-4, 3e-4], "grad_norm": float("nan"), "clipped": None},
]


def read_scalars(log_dir: Path) -> dict[str, list[tuple[int, float]]]:
    acc = EventAccumulator(str(log_dir))
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def test_scalars_flattens_groups_nested_dicts_tensors_and_bools() -> None:
    assert scalars(HISTORY[0]) == {
        "stepguard/lr/0": 1e-3,
        "stepguard/lr/1": 5e-4,
        "stepguard/grad_norm": 2.5,
        "stepguard/clipped": 1.0,
        "stepguard/norm/mean_abs_w": 1.0,
    }
    # strings and None are skipped, the step is the x-axis; NaN is kept
    second = scalars(HISTORY[1], prefix="")
    assert second == {"lr/0": 9e-4, "lr/1": 4e-4, "grad_norm": 0.5, "clipped": 0.0}
    assert math.isnan(scalars(HISTORY[2])["stepguard/grad_norm"])


def test_log_history_to_tensorboard_writes_every_scalar_at_its_step(tmp_path: Path) -> None:
    writer = tensorboard_writer(str(tmp_path))
    assert log_history(HISTORY, writer) == 3
    writer.close()
    got = read_scalars(tmp_path)
    assert got["stepguard/grad_norm"][:2] == [(1, 2.5), (2, 0.5)]
    assert math.isnan(got["stepguard/grad_norm"][2][1])
    assert [s for s, _ in got["stepguard/lr/1"]] == [1, 2, 3]
    assert got["stepguard/lr/1"][2][1] == pytest.approx(3e-4)
    assert got["stepguard/clipped"] == [(1, 1.0), (2, 0.0)]


def test_log_history_to_a_callable_logger_and_from_an_offset() -> None:
    calls: list[tuple[int, dict[str, float]]] = []
    n = log_history(HISTORY, lambda metrics, step: calls.append((step, metrics)), start=1)
    assert n == 2
    assert [s for s, _ in calls] == [2, 3]
    assert calls[0][1]["stepguard/lr/0"] == 9e-4


def test_records_without_step_use_their_index() -> None:
    calls: list[int] = []
    log_history([{"a": 1.0}, {"a": 2.0}], lambda m, s: calls.append(s))
    assert calls == [0, 1]


def test_bad_sink_and_bad_source_name_the_fix() -> None:
    with pytest.raises(TypeError, match="add_scalar"):
        log_history(HISTORY, object())
    with pytest.raises(TypeError, match="Monitor or a list"):
        log_history({"step": 1}, print)


def run_monitored(**monitor_kw: Any) -> Monitor:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 1))
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=0.05)
    with Monitor(model, opt, **monitor_kw) as mon:
        for _ in range(3):
            x = torch.randn(8, 4)
            loss = ((model(x) - 1.0) ** 2).mean()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
    return mon


def test_a_real_monitor_history_reads_back_from_tensorboard(tmp_path: Path) -> None:
    mon = run_monitored()
    writer = tensorboard_writer(str(tmp_path))
    assert log_history(mon, writer) == 3
    writer.close()
    got = read_scalars(tmp_path)
    for key in ("grad_norm", "clip_rate", "norm_weight_mean_abs", "bias_mean_abs", "lr_group0"):
        assert [s for s, _ in got[f"stepguard/{key}"]] == [1, 2, 3]
        assert [v for _, v in got[f"stepguard/{key}"]] == pytest.approx(
            [r[key] for r in mon.history]
        )


def test_monitor_log_writes_each_record_while_training() -> None:
    calls: list[tuple[int, dict[str, float]]] = []
    mon = run_monitored(log=monitor_log(lambda m, s: calls.append((s, m)), prefix="sg/"))
    assert [s for s, _ in calls] == [1, 2, 3]
    assert [m["sg/grad_norm"] for _, m in calls] == pytest.approx(
        [r["grad_norm"] for r in mon.history]
    )
    with pytest.raises(TypeError, match="add_scalar"):
        monitor_log(42)  # type: ignore[arg-type]


def test_recent_scalars_reports_the_clip_rate_of_the_new_records_only() -> None:
    history = [
        {"step": 1, "clipped": 1.0},
        {"step": 2, "clipped": 0.0},
        {"step": 3, "clipped": float("nan")},  # no clipping call: not counted
        {"step": 4, "clipped": 1.0, "grad_norm": 3.0},
    ]
    assert recent_scalars(history, 1) == {
        "stepguard/clipped": 1.0,
        "stepguard/grad_norm": 3.0,
        "stepguard/clip_rate_window": 0.5,
    }
    assert recent_scalars(history, 4) == {}


def test_log_findings_logs_by_severity(caplog: pytest.LogCaptureFixture) -> None:
    report = Report(
        [Finding("SG101", "coupled"), Finding("SG102", "norms decay"), Finding("SG209", "bn")]
    )
    with caplog.at_level(logging.INFO, logger="stepguard"):
        assert log_findings(report) == 3
    assert [(r.levelno, r.getMessage().split()[0]) for r in caplog.records] == [
        (logging.ERROR, "SG101"),
        (logging.WARNING, "SG102"),
        (logging.INFO, "SG209"),
    ]
    assert "fix: " in caplog.records[0].getMessage()


ABSENT_EXTRAS = textwrap.dedent(
    """
    import sys
    for name in ("transformers", "lightning", "accelerate", "tensorboard"):
        sys.modules[name] = None  # simulate: the extra is not installed
    import stepguard
    import stepguard.integrations
    from stepguard.integrations.loggers import log_history, tensorboard_writer

    log_history([{"step": 1, "a": 1.0}], lambda m, s: None)  # callable loggers need no extra
    checks = [
        ("stepguard.integrations.transformers", "transformers"),
        ("stepguard.integrations.lightning", "lightning"),
        ("stepguard.integrations.accelerate", "accelerate"),
    ]
    for module, extra in checks:
        try:
            __import__(module)
        except ImportError as err:
            assert f"pip install 'stepguard[{extra}]'" in str(err), str(err)
        else:
            raise SystemExit(f"{module} imported without {extra}")
    try:
        tensorboard_writer("unused")
    except ImportError as err:
        assert "pip install 'stepguard[tensorboard]'" in str(err), str(err)
    else:
        raise SystemExit("tensorboard_writer worked without tensorboard")
    print("ok")
    """
)


def test_every_integration_without_its_extra_raises_naming_the_extra() -> None:
    done = subprocess.run(
        [sys.executable, "-c", ABSENT_EXTRAS], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok"
