"""Write Monitor history to TensorBoard or to any callable logger.

A Monitor's history is a list of per-optimizer-step records (dicts of numbers, per-group lists and
nested dicts). `scalars` flattens one record into ``{"stepguard/grad_norm": 0.8, "stepguard/lr_group0":
1e-3, ...}``; `log_history` writes a whole history to a sink after (or during) training;
`monitor_log(sink)` is a Monitor's ``log=`` argument that writes each record as it is recorded. A sink is either a TensorBoard-style writer (anything with
``add_scalar(tag, value, global_step)``, e.g. `torch.utils.tensorboard.SummaryWriter`) or a callable
``sink(metrics: dict[str, float], step: int)`` (wandb: ``lambda m, s: wandb.log(m, step=s)``;
MLflow: ``lambda m, s: mlflow.log_metrics(m, step=s)``).

The module is named after what it does; it never shadows the standard library's `logging` because
stepguard imports are absolute.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import torch

from stepguard.findings import Report, Severity
from stepguard.integrations._extras import require

__all__ = [
    "Sink",
    "log_findings",
    "log_history",
    "monitor_log",
    "recent_scalars",
    "scalars",
    "tensorboard_writer",
]


class _ScalarWriter(Protocol):
    def add_scalar(self, tag: str, scalar_value: float, global_step: int | None = ...) -> Any: ...


Sink = _ScalarWriter | Callable[[dict[str, float], int], Any]
"""A TensorBoard-style writer or a callable ``(metrics, step)``."""


def scalars(record: Mapping[str, Any], *, prefix: str = "stepguard/") -> dict[str, float]:
    """Flatten one history record into ``{prefix + path: float}``.

    Numbers and bools become floats, 0-d tensors their value; a list/tuple becomes one entry per
    index (``lr/0``, ``lr/1`` for per-group learning rates), a nested dict one entry per key
    (``norm_weight/mean``). ``None``, strings and other objects are skipped; the record's
    ``"step"`` is the x-axis, not a scalar, and is left out. NaN and inf are kept (a logger
    should show them).
    """
    if not isinstance(record, Mapping):
        raise TypeError(
            f"record must be one Monitor history record (a dict), got {type(record).__name__}; "
            "for a whole history use log_history(monitor, sink)"
        )
    out: dict[str, float] = {}
    for key, value in record.items():
        if key == "step":
            continue
        _flatten(f"{prefix}{key}", value, out)
    return out


def _flatten(tag: str, value: Any, out: dict[str, float]) -> None:
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            out[tag] = float(value.detach().reshape(()).item())
        else:
            for i, v in enumerate(value.detach().flatten().tolist()):
                out[f"{tag}/{i}"] = float(v)
    elif isinstance(value, (bool, numbers.Real)):
        out[tag] = float(value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(f"{tag}/{k}", v, out)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _flatten(f"{tag}/{i}", v, out)


def _records(source: Any) -> Sequence[Mapping[str, Any]]:
    history = getattr(source, "history", source)
    if isinstance(history, Mapping) or not isinstance(history, Sequence):
        raise TypeError(
            "expected a stepguard Monitor or a list of history records (dicts), got "
            f"{type(source).__name__}"
        )
    return history


def _check_sink(sink: object) -> None:
    if getattr(sink, "add_scalar", None) is None and not callable(sink):
        raise TypeError(
            f"a sink is a writer with add_scalar(tag, value, step) (e.g. SummaryWriter) or a "
            f"callable sink(metrics, step); got {type(sink).__name__}"
        )


def _check_start(start: object) -> int:
    if isinstance(start, bool) or not isinstance(start, numbers.Integral) or start < 0:
        raise ValueError(f"start must be an int >= 0 (a record index), got {start!r}")
    return int(start)


def _write(sink: Sink, metrics: dict[str, float], step: int) -> None:
    add_scalar = getattr(sink, "add_scalar", None)
    if add_scalar is not None:
        for tag, value in metrics.items():
            add_scalar(tag, value, step)
    elif callable(sink):
        sink(metrics, step)
    else:
        raise TypeError(
            f"a sink is a writer with add_scalar(tag, value, step) (e.g. SummaryWriter) or a "
            f"callable sink(metrics, step); got {type(sink).__name__}"
        )


def _step_of(record: Mapping[str, Any], index: int) -> int:
    step = record.get("step")
    if isinstance(step, numbers.Integral) and not isinstance(step, bool):
        return int(step)
    return index


def log_history(source: Any, sink: Sink, *, prefix: str = "stepguard/", start: int = 0) -> int:
    """Write records ``source.history[start:]`` (or ``source[start:]``) to `sink`; return how many.

    `source` is a Monitor (anything with a ``history`` list) or a list of records. Each record goes
    to the sink as `scalars(record, prefix=prefix)` at x-axis step ``record["step"]`` (its list
    index when it has none). Records with no scalar are skipped but counted.
    """
    records = _records(source)
    _check_sink(sink)
    start = _check_start(start)
    written = 0
    for index in range(start, len(records)):
        record = records[index]
        metrics = scalars(record, prefix=prefix)
        if metrics:
            _write(sink, metrics, _step_of(record, index))
        written += 1
    return written


def monitor_log(sink: Sink, *, prefix: str = "stepguard/") -> Callable[[Mapping[str, Any]], None]:
    """The ``log=`` argument of `stepguard.monitoring._monitor.Monitor` that writes each record to `sink`.

    ``Monitor(model, opt, log=monitor_log(writer))`` writes every instrumented step's record as
    it is recorded: `scalars(record, prefix=prefix)` at x-axis step ``record["step"]``. (The
    Monitor then reads its values back once per instrumented step; `log_history` after training
    costs nothing during it.)
    """
    _check_sink(sink)

    def log(record: Mapping[str, Any]) -> None:
        log_history([record], sink, prefix=prefix)

    return log


def tensorboard_writer(log_dir: str | None = None, **kwargs: Any) -> Any:
    """A `torch.utils.tensorboard.SummaryWriter` for `log_dir` (needs ``stepguard[tensorboard]``).

    Raises ImportError naming the extra when the `tensorboard` package is missing.
    """
    require("tensorboard", "tensorboard")
    tb = require("torch.utils.tensorboard", "tensorboard")
    return tb.SummaryWriter(log_dir=log_dir, **kwargs)


_LEVELS = {
    Severity.INFO: logging.INFO,
    Severity.WARNING: logging.WARNING,
    Severity.ERROR: logging.ERROR,
}


def log_findings(report: Report, logger: logging.Logger | None = None) -> int:
    """Log each finding of `report` on `logger` (default ``logging.getLogger("stepguard")``).

    Level by severity: info -> INFO, warning -> WARNING, error -> ERROR; the message is the
    finding's one-line text followed by its fix. Returns the number of findings logged.
    """
    if not isinstance(report, Report):
        raise TypeError(
            f"report must be a stepguard Report (from audit() or Monitor.report()), got "
            f"{type(report).__name__}"
        )
    log = logger if logger is not None else logging.getLogger("stepguard")
    for finding in report.findings:
        level = _LEVELS.get(Severity.parse(finding.severity or Severity.WARNING), logging.WARNING)
        log.log(level, "%s\n    fix: %s", finding, finding.fix)
    return len(report.findings)


def recent_scalars(
    history: Sequence[Mapping[str, Any]], start: int, prefix: str = "stepguard/"
) -> dict[str, float]:
    """The scalars to log for the records ``history[start:]`` (empty when there are none).

    The latest record's `scalars`, plus ``<prefix>clip_rate_window``: the fraction of those records
    whose ``"clipped"`` is 1 (records whose ``"clipped"`` is missing or NaN, i.e. no clipping call,
    are not counted), so a logger that reports every N steps shows the clip rate of exactly those
    N steps (the Monitor's own ``clip_rate`` counts from the start of the run).
    """
    history = _records(history)
    new = history[_check_start(start) :]
    if not new:
        return {}
    out = scalars(new[-1], prefix=prefix)
    flags = [
        float(r["clipped"]) != 0.0
        for r in new
        if isinstance(r.get("clipped"), (bool, numbers.Real)) and not math.isnan(r["clipped"])
    ]
    if flags:
        out[f"{prefix}clip_rate_window"] = sum(flags) / len(flags)
    return out
