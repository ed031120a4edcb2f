"""Monitor history reaches TensorBoard event files and callable loggers, with the right steps."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from stepguard.integrations.logging import HistoryStream, log_history, scalars, tensorboard_writer

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


def test_history_stream_writes_each_new_record_after_the_optimizer_step() -> None:
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    class FakeMonitor:  # appends one record per step from its own (earlier) hook
        def __init__(self) -> None:
            self.optimizer = opt
            self.history: list[dict[str, float]] = []
            opt.register_step_post_hook(
                lambda o, a, k: self.history.append(
                    {"step": len(self.history) + 1, "w": float(model.weight.detach().abs().mean())}
                )
            )

    mon = FakeMonitor()
    seen: list[tuple[int, float]] = []
    with HistoryStream(mon, lambda m, s: seen.append((s, m["stepguard/w"]))) as stream:
        for _ in range(3):
            model(torch.ones(2, 3)).sum().backward()
            opt.step()
            opt.zero_grad()
            # written live, not only at close
            assert len(seen) == len(mon.history)
    assert stream.written == 3
    assert [s for s, _ in seen] == [1, 2, 3]
    assert seen[-1][1] == pytest.approx(float(model.weight.detach().abs().mean()))
    opt.step()  # after close the hook is gone
    assert len(seen) == 3


ABSENT_EXTRAS = textwrap.dedent(
    """
    import sys
    for name in ("transformers", "lightning", "accelerate", "tensorboard"):
        sys.modules[name] = None  # simulate: the extra is not installed
    import stepguard
    import stepguard.integrations
    from stepguard.integrations.logging import log_history, tensorboard_writer

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
