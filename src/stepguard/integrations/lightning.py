"""stepguard for Lightning: a `Callback` that audits `configure_optimizers` and monitors training.

``Trainer(callbacks=[StepGuardCallback()])`` audits, when training starts, each optimizer and LR
scheduler config that ``configure_optimizers`` returned, with the trainer's
``accumulate_grad_batches`` and ``estimated_stepping_batches``; checks each scheduler's ``interval``
and ``frequency`` against accumulation; then runs a `stepguard.monitoring._monitor.Monitor` and logs its
instruments through ``LightningModule.log_dict``.

How Lightning (2.x, automatic optimization) steps schedulers, read from
``lightning.pytorch.loops.training_epoch_loop``:

* ``interval="step"`` schedulers are stepped only when the optimizer steps (never on a micro-batch
  that only accumulates), so a step schedule must be sized in optimizer steps:
  ``trainer.estimated_stepping_batches`` = ``ceil(batches / accumulate_grad_batches) * epochs``.
  One sized with ``len(train_dataloader) * epochs`` is k times too long (SG205).
* ``frequency`` is tested against the *batch* index (``(batch_idx + 1) % frequency == 0``), so
  under accumulation a step scheduler with ``frequency=f`` steps every ``f / gcd(f, k)`` optimizer
  steps, not every ``f`` as documented (with f=2, k=2: every optimizer step); ``frequency=N * k``
  steps every N optimizer steps. (The batch index restarts every epoch, so does the count.)
* ``interval="epoch"`` (Lightning's default when a bare scheduler is returned) steps once per
  epoch: a scheduler sized in steps but left at the default interval barely moves (SG205).

Lightning runs the forward/backward of an optimizer step inside the closure it passes to
``optimizer.step(closure=...)``, i.e. after the optimizer's step pre-hooks; the Monitor handles
that itself (it measures once the closure has run), so nothing about the step is changed here.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from stepguard.integrations._extras import missing_extra

try:
    import lightning.pytorch as pl
except ImportError as err:  # pragma: no cover - exercised in a subprocess by the tests
    raise missing_extra("lightning", "lightning", err) from err

from stepguard.auditing import audit, schedule_length
from stepguard.findings import Finding, Report, Severity
from stepguard.integrations._callback import _CallbackCore
from stepguard.integrations.loggers import scalars

__all__ = ["StepGuardCallback", "scheduler_findings"]

logger = logging.getLogger("stepguard")


def scheduler_findings(
    config: Any, *, accumulate: int, stepping_batches: int | None, max_epochs: int | None
) -> list[Finding]:
    """Findings about one Lightning ``LRSchedulerConfig`` under ``accumulate_grad_batches``.

    * ``interval="step"``, ``frequency=f > 1`` with ``g = gcd(f, accumulate) > 1``: SG205
      (warning) -- the scheduler steps every ``f / g`` optimizer steps, not every ``f``. (A
      frequency deliberately counted in batches, ``N * accumulate``, is reported too: the finding
      states the period it measured in optimizer steps.)
    * ``interval="epoch"`` with a schedule length (see `stepguard.schedule_length`) of at
      least ``stepping_batches`` optimizer steps and more than ``max_epochs``: SG205 -- a schedule
      sized in steps is stepped once per epoch.

    The schedule length against ``stepping_batches`` for step schedulers is the audit's SG205.
    """
    if not all(hasattr(config, a) for a in ("scheduler", "interval", "frequency")):
        raise TypeError(
            "config must be a Lightning LRSchedulerConfig (an entry of "
            f"trainer.lr_scheduler_configs), got {type(config).__name__}"
        )
    if isinstance(accumulate, bool) or not isinstance(accumulate, int) or accumulate < 1:
        raise ValueError(
            f"accumulate must be trainer.accumulate_grad_batches (an int >= 1), got {accumulate!r}"
        )
    findings: list[Finding] = []
    name = type(config.scheduler).__name__
    interval, frequency = config.interval, int(config.frequency)
    if interval == "step" and frequency > 1 and accumulate > 1:
        g = math.gcd(frequency, accumulate)
        if g > 1:
            every = frequency // g
            findings.append(
                Finding(
                    "SG205",
                    f"{name} has interval='step', frequency={frequency} under "
                    f"accumulate_grad_batches={accumulate}: it steps every {every} optimizer "
                    f"step(s), not every {frequency} as Lightning documents, because Lightning "
                    "compares frequency with the batch index ((batch_idx + 1) % frequency); for "
                    f"every N optimizer steps use frequency=N*{accumulate}",
                    severity=Severity.WARNING,
                    fix=f'"frequency": N * {accumulate}  # N optimizer steps per scheduler step',
                    data={
                        "frequency": frequency,
                        "accumulate_grad_batches": accumulate,
                        "optimizer_steps_per_scheduler_step": every,
                    },
                )
            )
    if interval == "epoch" and stepping_batches is not None and max_epochs is not None:
        length, source = schedule_length(config.scheduler)
        if length is not None and length >= stepping_batches and length > max(1, max_epochs):
            findings.append(
                Finding(
                    "SG205",
                    f"{name} is sized for {length:,} steps ({source}) but has interval='epoch' "
                    f"(Lightning's default for a bare scheduler): it will step {max_epochs} "
                    f"time(s) in this run of {stepping_batches:,} optimizer steps",
                    fix='return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, '
                    '"interval": "step"}}',
                    data={
                        "schedule_steps": length,
                        "max_epochs": max_epochs,
                        "total_steps": stepping_batches,
                    },
                )
            )
    return findings


class StepGuardCallback(_CallbackCore, pl.Callback):
    """A Lightning `Callback`: audit at train start, Monitor while training, report at the end.

    At ``on_train_start``: for each optimizer in ``trainer.optimizers``, ``audit(pl_module,
    optimizer, scheduler=<its interval="step", frequency=1 scheduler, if any>,
    total_steps=trainer.estimated_stepping_batches, accum_steps=trainer.accumulate_grad_batches)``
    plus `scheduler_findings` for each of its scheduler configs, merged into `report`; findings are
    logged on the ``"stepguard"`` logger and, with `raise_on`, raised as `FindingsError` before any
    step. Then, with `monitor` true and exactly one optimizer, a `Monitor` (no attach-time audit;
    given the optimizer's scheduler when it has exactly one) is attached; see the module doc for
    how it sees Lightning's closure.

    After each optimizer step (``on_train_batch_end``): new Monitor findings are logged and raised
    on with `raise_on` (the Monitor is detached first); when the trainer has loggers, the latest
    Monitor record goes to ``pl_module.log_dict`` under `prefix` (one host read per optimizer
    step). At ``on_train_end`` the Monitor is detached and its report kept in `monitor_report`
    (findings not logged yet are logged, and raised on with `raise_on`).
    """

    _monitor_title = "stepguard monitor (Lightning)"
    _last_step = 0  # the Monitor's step when its history was last read (reset at train start)

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        accumulate = int(trainer.accumulate_grad_batches)
        estimated = trainer.estimated_stepping_batches
        total = int(estimated) if math.isfinite(estimated) and estimated > 0 else None
        max_epochs = trainer.max_epochs if trainer.max_epochs and trainer.max_epochs > 0 else None
        findings: list[Finding] = []
        summary: dict[str, Any] = {
            "accumulate_grad_batches": accumulate,
            "estimated_stepping_batches": estimated,
            "optimizers": len(trainer.optimizers),
        }
        watched: dict[int, Any] = {}
        for i, opt in enumerate(trainer.optimizers):
            configs = [c for c in trainer.lr_scheduler_configs if c.scheduler.optimizer is opt]
            step = [c.scheduler for c in configs if c.interval == "step" and c.frequency == 1]
            if len(configs) == 1:  # the Monitor counts its steps per window (SG202), any interval
                watched[i] = configs[0].scheduler
            rep = audit(
                pl_module,
                opt,
                scheduler=step[0] if len(step) == 1 else None,
                total_steps=total,
                accum_steps=accumulate,
            )
            findings += rep.findings
            for c in configs:
                findings += scheduler_findings(
                    c, accumulate=accumulate, stepping_batches=total, max_epochs=max_epochs
                )
            summary[f"optimizer{i}"] = rep.summary
        self._audited(Report(findings, summary=summary, title="stepguard audit of Lightning"))
        if not self.use_monitor:
            return
        if len(trainer.optimizers) != 1:
            logger.info(
                "stepguard: the Monitor watches one optimizer; %d configured, not monitoring",
                len(trainer.optimizers),
            )
            return
        self._last_step = 0
        self._start_monitor(pl_module, trainer.optimizers[0], watched.get(0))

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        if self.monitor is None:
            return
        self._flush_new()
        # Only read the history (a host sync) after an optimizer step, and only if someone logs.
        if trainer.loggers and self.monitor.state.step != self._last_step:
            self._last_step = self.monitor.state.step
            history = self.monitor.history
            if len(history) > self._logged_records:
                pl_module.log_dict(_logged(scalars(history[-1], prefix=self.prefix)))
                self._logged_records = len(history)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._finish()

    def on_exception(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException
    ) -> None:
        self._stop()


def _logged(metrics: dict[str, float]) -> dict[str, float]:
    # NaN means "not measured" (e.g. `clipped` without a clipping call): leave it out of the logs.
    return {k: v for k, v in metrics.items() if not math.isnan(v)}
