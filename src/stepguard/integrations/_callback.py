"""The state and finding handling shared by the framework callbacks (Trainer, Lightning).

Both `StepGuardCallback` classes audit when training starts, then run a `Monitor` whose findings
they log once per code and raise on with ``raise_on``, and keep both reports. `_CallbackCore`
holds that state and logic without importing any framework; each framework class adds its own
base class and hooks, and names itself in `_monitor_title`.
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from torch import nn

from stepguard.findings import Finding, Report, Severity
from stepguard.integrations.loggers import log_findings
from stepguard.monitoring import Monitor

__all__: list[str] = []

logger = logging.getLogger("stepguard")


def _severity(raise_on: object) -> Severity:
    try:
        return Severity.parse(raise_on)  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError):
        raise ValueError(
            f"raise_on must be None, 'info', 'warning' or 'error', got {raise_on!r}"
        ) from None


class _CallbackCore:
    """Options, reports and Monitor findings of a framework callback (a mixin, framework-free)."""

    #: Title of the report each batch of new Monitor findings is logged as.
    _monitor_title = "stepguard monitor"

    def __init__(
        self,
        *,
        raise_on: str | Severity | None = None,
        monitor: bool = True,
        every: int = 1,
        prefix: str = "stepguard/",
    ) -> None:
        self.raise_on = None if raise_on is None else _severity(raise_on)
        if not isinstance(monitor, bool):
            raise TypeError(f"monitor must be True or False, got {monitor!r}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"every must be an int >= 1 (instrument every N optimizer steps), got {every!r}"
            )
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str such as 'stepguard/', got {prefix!r}")
        self.use_monitor = monitor
        self.every = every
        self.prefix = prefix
        self.report: Report | None = None
        self.monitor: Monitor | None = None
        self.monitor_report: Report | None = None
        self._new: list[Finding] = []
        self._seen_codes: set[str] = set()
        self._logged_records = 0

    def _audited(self, report: Report) -> None:
        # Kept, logged and raised on before the first step, so a bad setup never trains.
        self.report = report
        log_findings(report, logger)
        if self.raise_on is not None:
            report.raise_on(self.raise_on)

    def _start_monitor(
        self, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any
    ) -> None:
        # The audit already ran (`_audited`): the Monitor's own attach-time audit would repeat it.
        self._new, self._seen_codes, self._logged_records = [], set(), 0
        self.monitor = Monitor(
            model,
            optimizer,
            scheduler=scheduler,
            every=self.every,
            audit=False,
            on_finding=self._new.append,
        ).attach()

    def _stop(self, end_of_run: bool = False) -> None:
        if self.monitor is not None:
            self.monitor.detach(end_of_run=end_of_run)

    def _explain(self, fresh: list[Finding]) -> None:
        """Log what the framework adds about `fresh` (already logged) findings; nothing here."""

    def _flush(self, findings: list[Finding]) -> None:
        fresh = [f for f in findings if f.code not in self._seen_codes]
        self._seen_codes.update(f.code for f in fresh)
        if not fresh:
            return
        report = Report(fresh, title=self._monitor_title)
        log_findings(report, logger)
        self._explain(fresh)
        if self.raise_on is not None and report.at_least(self.raise_on):
            self._stop()  # stopped mid-run: no end-of-run checks
            report.raise_on(self.raise_on)

    def _flush_new(self) -> None:
        # The findings the Monitor reported since the previous call (after an optimizer step).
        if self._new:
            new, self._new[:] = list(self._new), []
            self._flush(new)

    def _finish(self) -> None:
        # End of training: the end-of-run checks (e.g. SG106) run at detach; the Monitor's report
        # holds every finding (the pending `_new` too), and `_flush` skips codes already logged.
        if self.monitor is None:
            return
        self._stop(end_of_run=True)
        self.monitor_report = self.monitor.report()
        self._new[:] = []
        self._flush(self.monitor_report.findings)
