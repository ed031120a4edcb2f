"""stepguard for the Hugging Face `Trainer`: one callback, and correct param groups for it.

``Trainer(..., callbacks=[StepGuardCallback()])`` audits the model, optimizer and scheduler the
Trainer built (or was given) when training begins, with the Trainer's
``gradient_accumulation_steps`` and its total number of optimizer steps (``state.max_steps``), logs
the findings (and raises on them if asked), then runs a `stepguard.monitoring._monitor.Monitor` and adds its
instruments to the Trainer's logs at every logging step.

What the Trainer does and the Monitor sees: the Trainer accumulates over
``gradient_accumulation_steps`` micro-batches, clips once per optimizer step through
``accelerator.clip_grad_norm_`` (which calls torch's ``clip_grad_norm_``, where the Monitor listens),
calls the wrapped optimizer's ``step()`` (an `AcceleratedOptimizer`, unwrapped here so the Monitor's
hooks see the torch optimizer) and steps the scheduler once per optimizer step.

`optimizer_cls_and_kwargs` and `create_optimizer` give the Trainer stepguard's param groups: the
Trainer's own grouping decays embeddings and misses norm layers whose names do not say "norm".
"""

from __future__ import annotations

import inspect
import logging
import math
import numbers
from typing import Any

import torch
from torch import nn

from stepguard.integrations._extras import missing_extra

try:
    from transformers import (
        DefaultFlowCallback,
        Trainer,
        TrainerCallback,
        TrainerControl,
        TrainerState,
        TrainingArguments,
    )
except ImportError as err:  # pragma: no cover - exercised in a subprocess by the tests
    raise missing_extra("transformers", "transformers", err) from err

from stepguard.auditing import audit
from stepguard.findings import Finding
from stepguard.groups import param_groups
from stepguard.integrations._callback import _CallbackCore
from stepguard.integrations.loggers import recent_scalars

__all__ = [
    "StepGuardCallback",
    "create_optimizer",
    "install",
    "optimizer_cls_and_kwargs",
]

logger = logging.getLogger("stepguard")


def optimizer_cls_and_kwargs(
    model: nn.Module,
    args: TrainingArguments | None = None,
    *,
    optimizer_cls: type[torch.optim.Optimizer] = torch.optim.AdamW,
    weight_decay: float | None = None,
    lr: float | None = None,
    **kwargs: Any,
) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """``(optimizer_cls, kwargs)`` for ``Trainer(optimizer_cls_and_kwargs=...)``.

    ``kwargs["params"]`` is `stepguard.groups._classify.param_groups(model, weight_decay)`; the Trainer
    (transformers >= 4.40) uses a ``params`` entry in place of its own grouping (and pops it from
    the dict, so build a fresh tuple for each Trainer). `weight_decay` and `lr` default to
    ``args.weight_decay`` and ``args.learning_rate``; when `optimizer_cls` takes ``betas``/``eps``
    they default to ``(args.adam_beta1, args.adam_beta2)`` and ``args.adam_epsilon``. Other
    `kwargs` go to the optimizer unchanged. Build it for the model the Trainer trains (not with
    ``model_init``, which creates new parameters).

    Raises TypeError when `args` is not a ``TrainingArguments`` or `optimizer_cls` is not
    callable, ValueError for an `lr` that is not a finite number >= 0 (and `param_groups`'
    errors for the model and `weight_decay`).
    """
    if args is not None and not isinstance(args, TrainingArguments):
        raise TypeError(
            f"args must be the Trainer's TrainingArguments, got {type(args).__name__}; pass "
            "args=training_args, or weight_decay= and lr= instead"
        )
    if not callable(optimizer_cls):
        raise TypeError(
            f"optimizer_cls must be an optimizer class such as torch.optim.AdamW, got "
            f"{optimizer_cls!r:.60}"
        )
    if lr is not None and (
        isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 <= lr < math.inf
    ):
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    if weight_decay is None or lr is None:
        if args is None:
            raise TypeError(
                "optimizer_cls_and_kwargs needs the TrainingArguments (args=...) or both "
                "weight_decay= and lr="
            )
        weight_decay = args.weight_decay if weight_decay is None else weight_decay
        lr = args.learning_rate if lr is None else lr
    accepted = inspect.signature(optimizer_cls).parameters
    options: dict[str, Any] = {"lr": lr}
    if args is not None and "betas" in accepted:
        options["betas"] = (args.adam_beta1, args.adam_beta2)
    if args is not None and "eps" in accepted:
        options["eps"] = args.adam_epsilon
    options.update(kwargs)
    options["params"] = param_groups(model, weight_decay)
    return optimizer_cls, options


def create_optimizer(
    model: nn.Module,
    args: TrainingArguments | None = None,
    *,
    optimizer_cls: type[torch.optim.Optimizer] = torch.optim.AdamW,
    weight_decay: float | None = None,
    lr: float | None = None,
    **kwargs: Any,
) -> torch.optim.Optimizer:
    """An optimizer over stepguard's param groups, for ``Trainer(optimizers=(opt, None))``.

    Same arguments and defaults as `optimizer_cls_and_kwargs`. With ``None`` as the scheduler the
    Trainer builds its own, sized with its total optimizer steps.
    """
    cls, options = optimizer_cls_and_kwargs(
        model, args, optimizer_cls=optimizer_cls, weight_decay=weight_decay, lr=lr, **kwargs
    )
    return cls(options.pop("params"), **options)


_SG201_UNDER_TRAINER = (
    "under the Trainer this usually means the model's forward declares **kwargs (so the Trainer "
    "passes num_items_in_batch and skips its own division by gradient_accumulation_steps) but its "
    "loss ignores num_items_in_batch (transformers issue #47688): set "
    "`model.accepts_loss_kwargs = False` before building the Trainer"
)


class StepGuardCallback(_CallbackCore, TrainerCallback):
    """A `transformers.TrainerCallback` that audits at train begin and monitors every step.

    At ``on_train_begin``: ``audit(model, optimizer, scheduler=..., total_steps=state.max_steps,
    accum_steps=args.gradient_accumulation_steps)`` on the Trainer's objects; the report is kept in
    `report` and each finding is logged on the ``"stepguard"`` logger (ERROR/WARNING/INFO by
    severity). With `raise_on` (``"error"``, ``"warning"`` or ``"info"``) a `FindingsError` is raised
    for findings at or above it before any step is taken. Then, if `monitor` is true, a `Monitor`
    (without its own attach-time audit) is attached to the model and the torch optimizer inside
    accelerate's wrapper; it is kept in `monitor`.

    At ``on_step_end`` (after each optimizer step): findings the Monitor saw for the first time are
    logged, and raised on with `raise_on` (the Monitor is detached first). At ``on_log``: the latest
    Monitor record (``grad_norm`` before clipping, ``clipped``, ``clip_rate`` over the run,
    ``norm_weight_mean_abs``, ``bias_mean_abs``, ``lr_group<i>``, ``update_ratio_group<i>``, ...) is
    added to the Trainer's ``logs`` (and to ``state.log_history``) under `prefix`, with ``<prefix>clip_rate_window``: the fraction
    of the optimizer steps since the previous log that were clipped. At ``on_train_end`` the Monitor
    is detached; its report (with the findings only known at the end, like SG106) is kept in
    `monitor_report`, its not-yet-logged findings are logged and raised on with `raise_on`.

    The Trainer calls callbacks in order, and ``Trainer(callbacks=[...])`` puts them after its
    reporting callbacks (TensorBoard, W&B, ...), which then log before the instruments are added.
    `install(trainer)` puts the callback before them.
    """

    _monitor_title = "stepguard monitor (Hugging Face Trainer)"

    def on_train_begin(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        model: nn.Module | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        lr_scheduler: Any = None,
        **kwargs: Any,
    ) -> None:
        if model is None or optimizer is None:
            raise TypeError(
                "StepGuardCallback.on_train_begin needs the Trainer's model and optimizer; use it "
                "through Trainer(callbacks=[StepGuardCallback()])"
            )
        # The Trainer cannot run without accelerate, so importing it here costs nothing extra.
        from stepguard.integrations.accelerate import unwrap_optimizer, unwrap_scheduler

        opt = unwrap_optimizer(optimizer)
        sched = unwrap_scheduler(lr_scheduler)
        total = state.max_steps if state.max_steps and state.max_steps > 0 else None
        accum = args.gradient_accumulation_steps
        report = audit(model, opt, scheduler=sched, total_steps=total, accum_steps=accum)
        report.title = "stepguard audit of the Hugging Face Trainer"
        report.summary["trainer_max_steps"] = state.max_steps
        report.summary["trainer_gradient_accumulation_steps"] = accum
        self._audited(report)
        if self.use_monitor:
            self._start_monitor(model, opt, sched)

    def _explain(self, fresh: list[Finding]) -> None:
        if any(f.code == "SG201" for f in fresh):
            logger.error("SG201: %s", _SG201_UNDER_TRAINER)

    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        self._flush_new()

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if self.monitor is None or logs is None:
            return
        history = self.monitor.history
        if len(history) <= self._logged_records:
            return  # eval logs and the final summary: no new optimizer step to report
        extra = recent_scalars(history, self._logged_records, self.prefix)
        self._logged_records = len(history)
        logs.update(extra)
        # Trainer.log() stored a copy of `logs` before calling the callbacks: complete it too.
        if state.log_history and state.log_history[-1].get("step") == state.global_step:
            state.log_history[-1].update(extra)

    def on_train_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        self._finish()


def install(
    trainer: Trainer, callback: StepGuardCallback | None = None, **kwargs: Any
) -> StepGuardCallback:
    """Add a `StepGuardCallback` to `trainer` ahead of its reporting callbacks; return it.

    ``install(trainer, raise_on="error")`` builds ``StepGuardCallback(raise_on="error")`` (or
    takes `callback`) and inserts it right after the Trainer's `DefaultFlowCallback`, so the
    instruments it adds at ``on_log`` reach the TensorBoard / W&B / MLflow callbacks that
    ``report_to`` installed (``trainer.add_callback`` would append it after them).

    Raises TypeError when `trainer` is not a ``transformers.Trainer`` or `callback` not a
    `StepGuardCallback`, ValueError when the Trainer already has one (it would run twice).
    """
    if not isinstance(trainer, Trainer):
        raise TypeError(
            f"install() needs the transformers.Trainer as `trainer`, got "
            f"{type(trainer).__name__}; build the Trainer first, then install(trainer)"
        )
    if callback is not None and kwargs:
        raise TypeError("install() takes a callback or StepGuardCallback options, not both")
    cb = callback if callback is not None else StepGuardCallback(**kwargs)
    if not isinstance(cb, StepGuardCallback):
        raise TypeError(
            f"install() expects `callback` to be a StepGuardCallback, got {type(cb).__name__}"
        )
    callbacks = trainer.callback_handler.callbacks
    if any(isinstance(c, StepGuardCallback) for c in callbacks):
        raise ValueError(
            "this Trainer already has a StepGuardCallback (from Trainer(callbacks=[...]) or an "
            "earlier install()); a second one would audit and monitor twice"
        )
    flow = [i for i, c in enumerate(callbacks) if isinstance(c, DefaultFlowCallback)]
    callbacks.insert(flow[0] + 1 if flow else 0, cb)
    return cb
