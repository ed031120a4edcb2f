"""Reliability cases for the framework integrations' entry points (Hugging Face Trainer,
Lightning, Accelerate) and the loggers: None, the wrong object, odd options; each must be a clear
error naming the argument, raised before anything is changed."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import torch
from reliability_harness import Case
from reliability_models import adamw, net, tmpdir
from torch.optim import lr_scheduler as L

from stepguard import Finding, Report


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("integrations", name, run, match=match, **kw)


def OK(name: str, run: Callable[[], Any], check: Callable[[Any], bool | str] | None = None) -> Case:
    return Case("integrations", name, run, expect="ok", check=check)


# ------------------------------------------------------------------ Hugging Face Trainer


def _hf() -> Any:
    from stepguard.integrations import transformers as hf

    return hf


def _trainer(**kw: Any) -> Any:
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(
        output_dir=str(tmpdir()), report_to=[], use_cpu=True, max_steps=1, **kw
    )
    return Trainer(model=net(), args=args)


def _install_twice() -> Any:
    trainer = _trainer()
    _hf().install(trainer)
    return _hf().install(trainer)


def _install_order() -> bool | str:
    from transformers import DefaultFlowCallback

    trainer = _trainer()
    before = list(trainer.callback_handler.callbacks)
    cb = _hf().install(trainer, raise_on="error")
    after = trainer.callback_handler.callbacks
    flow = next(i for i, c in enumerate(after) if isinstance(c, DefaultFlowCallback))
    if after[flow + 1] is not cb or len(after) != len(before) + 1:
        return f"callbacks: {[type(c).__name__ for c in after]}"
    return True


def _install_bad_callback_keeps_trainer() -> bool | str:
    trainer = _trainer()
    before = list(trainer.callback_handler.callbacks)
    try:
        _hf().install(trainer, callback="StepGuardCallback")
    except TypeError:
        pass
    else:
        return "no error"
    return trainer.callback_handler.callbacks == before or "the Trainer's callbacks changed"


def _training_args() -> Any:
    from transformers import TrainingArguments

    return TrainingArguments(output_dir=str(tmpdir()), report_to=[], use_cpu=True)


def _create_optimizer(**kw: Any) -> Any:
    return _hf().create_optimizer(net(), **kw)


def _cls_kwargs(**kw: Any) -> Any:
    return _hf().optimizer_cls_and_kwargs(net(), **kw)


# ------------------------------------------------------------------ Lightning


def _pl() -> Any:
    from stepguard.integrations import lightning as pl_sg

    return pl_sg


def _sched_config(interval: str = "step", frequency: int = 1, t_max: int = 1000) -> Any:
    from lightning.pytorch.utilities.types import LRSchedulerConfig

    return LRSchedulerConfig(
        scheduler=L.CosineAnnealingLR(adamw(net()), t_max), interval=interval, frequency=frequency
    )


def _findings(config: Any, **kw: Any) -> list[Finding]:
    kw.setdefault("accumulate", 2)
    kw.setdefault("stepping_batches", 100)
    kw.setdefault("max_epochs", 10)
    return _pl().scheduler_findings(config, **kw)


# ------------------------------------------------------------------ Accelerate


def _acc() -> Any:
    from stepguard.integrations import accelerate as acc_sg

    return acc_sg


def _accelerator() -> Any:
    from accelerate import Accelerator

    return Accelerator(cpu=True)


def _prepared() -> tuple[Any, Any, Any, Any]:
    accelerator = _accelerator()
    model = net()
    opt = adamw(model)
    sched = L.CosineAnnealingLR(opt, 100)
    model, opt, sched = accelerator.prepare(model, opt, sched)
    return accelerator, model, opt, sched


def _audit_prepared(**kw: Any) -> Report:
    accelerator, model, opt, sched = _prepared()
    return _acc().audit_accelerator(accelerator, model, opt, sched, **kw)


# ------------------------------------------------------------------ loggers


def _loggers() -> Any:
    from stepguard.integrations import loggers

    return loggers


class _Sink:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, float], int]] = []

    def __call__(self, metrics: dict[str, float], step: int) -> None:
        self.calls.append((metrics, step))


def _logged(records: list[dict[str, Any]], **kw: Any) -> list[tuple[dict[str, float], int]]:
    sink = _Sink()
    _loggers().log_history(records, sink, **kw)
    return sink.calls


def _tensorboard() -> bool | str:
    try:
        writer = _loggers().tensorboard_writer(str(tmpdir()))
    except ImportError as exc:
        return "stepguard[tensorboard]" in str(exc) or str(exc)
    writer.close()
    return True


def _log_findings_levels() -> bool | str:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger("stepguard.reliability")
    log.addHandler(Keep())
    log.setLevel(logging.DEBUG)
    log.propagate = False
    report = Report([Finding("SG101", "x"), Finding("SG209", "y")])
    n = _loggers().log_findings(report, log)
    levels = [r.levelno for r in records]
    return (n == 2 and levels == [logging.ERROR, logging.INFO]) or f"{n} {levels}"


CASES = [
    # --- defect 11: install(None) and other wrong objects
    E(
        "transformers.install(None)",
        lambda: _hf().install(None),
        r"install\(\) needs the transformers\.Trainer as `trainer`, got NoneType",
    ),
    E("transformers.install('trainer')", lambda: _hf().install("trainer"), r"got str"),
    E(
        "transformers.install(TrainingArguments)",
        lambda: _hf().install(_training_args()),
        r"got TrainingArguments",
    ),
    E(
        "transformers.install(torch model)",
        lambda: _hf().install(net()),
        r"needs the transformers\.Trainer .* got Net",
    ),
    E(
        "transformers.install(trainer, callback='x')",
        lambda: _hf().install(_trainer(), callback="x"),
        r"`callback` to be a StepGuardCallback, got str",
    ),
    OK(
        "install(trainer, callback='x') leaves the Trainer's callbacks as they were",
        _install_bad_callback_keeps_trainer,
        lambda v: v,
    ),
    E(
        "transformers.install(trainer, callback=cb, raise_on='error')",
        lambda: _hf().install(_trainer(), callback=_hf().StepGuardCallback(), raise_on="error"),
        r"a callback or StepGuardCallback options, not both",
    ),
    E(
        "transformers.install(trainer, bogus=1)",
        lambda: _hf().install(_trainer(), bogus=1),
        r"unexpected keyword argument 'bogus'",
    ),
    E("transformers.install(trainer) twice", _install_twice, r"already has a StepGuardCallback"),
    OK(
        "transformers.install(trainer): right after DefaultFlowCallback",
        _install_order,
        lambda v: v,
    ),
    E(
        "transformers.StepGuardCallback(raise_on='fatal')",
        lambda: _hf().StepGuardCallback(raise_on="fatal"),
        r"raise_on must be None, 'info', 'warning' or 'error', got 'fatal'",
    ),
    E(
        "transformers.StepGuardCallback(raise_on=1)",
        lambda: _hf().StepGuardCallback(raise_on=1),
        r"raise_on must be .* got 1",
    ),
    E(
        "transformers.StepGuardCallback(raise_on=True)",
        lambda: _hf().StepGuardCallback(raise_on=True),
        r"raise_on must be .* got True",
    ),
    E(
        "transformers.StepGuardCallback(every=0)",
        lambda: _hf().StepGuardCallback(every=0),
        r"every must be an int >= 1",
    ),
    E(
        "transformers.StepGuardCallback(every='10')",
        lambda: _hf().StepGuardCallback(every="10"),
        r"every must be an int >= 1 .* got '10'",
    ),
    E(
        "transformers.StepGuardCallback(every=2.5)",
        lambda: _hf().StepGuardCallback(every=2.5),
        r"every must be an int >= 1",
    ),
    E(
        "transformers.StepGuardCallback(monitor='yes')",
        lambda: _hf().StepGuardCallback(monitor="yes"),
        r"monitor must be True or False",
    ),
    E(
        "transformers.StepGuardCallback(prefix=None)",
        lambda: _hf().StepGuardCallback(prefix=None),
        r"prefix must be a str",
    ),
    OK(
        "transformers.StepGuardCallback(raise_on='WARNING')",
        lambda: _hf().StepGuardCallback(raise_on="WARNING").raise_on,
        lambda v: str(v) == "warning" or v,
    ),
    E(
        "StepGuardCallback.on_train_begin without model/optimizer",
        lambda: _hf().StepGuardCallback().on_train_begin(_training_args(), None, None),
        r"needs the Trainer's model and optimizer",
    ),
    E(
        "optimizer_cls_and_kwargs(None, weight_decay=0.1, lr=1e-3)",
        lambda: _hf().optimizer_cls_and_kwargs(None, weight_decay=0.1, lr=1e-3),
        r"needs a torch\.nn\.Module, got NoneType",
    ),
    E(
        "optimizer_cls_and_kwargs(model) without args or weight_decay/lr",
        lambda: _cls_kwargs(),
        r"needs the TrainingArguments \(args=\.\.\.\) or both",
    ),
    E(
        "optimizer_cls_and_kwargs(model, args={'lr': 1})",
        lambda: _cls_kwargs(args={"lr": 1}),
        r"args must be the Trainer's TrainingArguments, got dict",
    ),
    E(
        "optimizer_cls_and_kwargs(optimizer_cls='adamw')",
        lambda: _cls_kwargs(optimizer_cls="adamw", weight_decay=0.1, lr=1e-3),
        r"optimizer_cls must be an optimizer class",
    ),
    E(
        "optimizer_cls_and_kwargs(lr=nan)",
        lambda: _cls_kwargs(weight_decay=0.1, lr=math.nan),
        r"lr must be a finite number >= 0, got nan",
    ),
    E(
        "optimizer_cls_and_kwargs(lr='1e-3')",
        lambda: _cls_kwargs(weight_decay=0.1, lr="1e-3"),
        r"lr must be a finite number",
    ),
    E(
        "optimizer_cls_and_kwargs(weight_decay=nan)",
        lambda: _cls_kwargs(weight_decay=math.nan, lr=1e-3),
        r"weight_decay must be a finite number >= 0",
    ),
    E(
        "create_optimizer(weight_decay=-1)",
        lambda: _create_optimizer(weight_decay=-1.0, lr=1e-3),
        r"weight_decay must be a finite number >= 0",
    ),
    OK(
        "create_optimizer(model, weight_decay=0.1, lr=1e-3): AdamW over param groups",
        lambda: _create_optimizer(weight_decay=0.1, lr=1e-3),
        lambda o: (
            (
                isinstance(o, torch.optim.AdamW)
                and [g["weight_decay"] for g in o.param_groups] == [0.1, 0.0]
            )
            or o
        ),
    ),
    OK(
        "optimizer_cls_and_kwargs(model, args): betas/eps from the TrainingArguments",
        lambda: _hf().optimizer_cls_and_kwargs(net(), _training_args())[1],
        lambda kw: (kw["betas"] == (0.9, 0.999) and kw["eps"] == 1e-8 and "params" in kw) or kw,
    ),
    # --- Lightning
    E(
        "lightning.StepGuardCallback(raise_on='fatal')",
        lambda: _pl().StepGuardCallback(raise_on="fatal"),
        r"raise_on must be None",
    ),
    E(
        "lightning.StepGuardCallback(every=-1)",
        lambda: _pl().StepGuardCallback(every=-1),
        r"every must be an int >= 1",
    ),
    E(
        "lightning.StepGuardCallback(monitor=None)",
        lambda: _pl().StepGuardCallback(monitor=None),
        r"monitor must be True or False",
    ),
    E(
        "lightning.scheduler_findings(None, ...)",
        lambda: _findings(None),
        r"config must be a Lightning LRSchedulerConfig",
    ),
    E(
        "lightning.scheduler_findings(a bare scheduler, ...)",
        lambda: _findings(L.StepLR(adamw(net()), 10)),
        r"config must be a Lightning LRSchedulerConfig .* got StepLR",
    ),
    E(
        "lightning.scheduler_findings(accumulate=0)",
        lambda: _findings(_sched_config(), accumulate=0),
        r"accumulate must be trainer\.accumulate_grad_batches",
    ),
    E(
        "lightning.scheduler_findings(accumulate='2')",
        lambda: _findings(_sched_config(), accumulate="2"),
        r"accumulate must be",
    ),
    OK(
        "lightning.scheduler_findings: frequency=2 under accumulate=2 is SG205",
        lambda: _findings(_sched_config(frequency=2)),
        lambda fs: [f.code for f in fs] == ["SG205"] or fs,
    ),
    OK(
        "lightning.scheduler_findings: a step-sized schedule with interval='epoch' is SG205",
        lambda: _findings(_sched_config(interval="epoch")),
        lambda fs: [f.code for f in fs] == ["SG205"] or fs,
    ),
    OK(
        "lightning.scheduler_findings: frequency=1, interval='step' is fine",
        lambda: _findings(_sched_config()),
        lambda fs: fs == [] or fs,
    ),
    # --- Accelerate
    E(
        "accelerate.monitor(None, model, opt)",
        lambda: _acc().monitor(None, net(), adamw(net())),
        r"monitor\(\) expects an accelerate\.Accelerator .* got NoneType",
    ),
    E(
        "accelerate.monitor(accelerator, None, opt)",
        lambda: _acc().monitor(_accelerator(), None, adamw(net())),
        r"monitor\(\) needs the \(prepared\) model as a torch\.nn\.Module, got NoneType",
    ),
    E(
        "accelerate.accumulator(accelerator, None, opt)",
        lambda: _acc().accumulator(_accelerator(), None, adamw(net())),
        r"accumulator\(\) needs the \(prepared\) model",
    ),
    E(
        "accelerate.accumulator(accelerator, model, None)",
        lambda: _acc().accumulator(_accelerator(), net(), None),
        r"needs a torch\.optim\.Optimizer, got NoneType",
    ),
    E(
        "accelerate.accumulator('accelerator', ...)",
        lambda: _acc().accumulator("accelerator", net(), adamw(net())),
        r"expects an accelerate\.Accelerator .* got str",
    ),
    E(
        "accelerate.audit_accelerator(accelerator, None, opt)",
        lambda: _acc().audit_accelerator(_accelerator(), None, adamw(net())),
        r"audit_accelerator\(\) needs the \(prepared\) model",
    ),
    E(
        "accelerate.audit_accelerator(total_steps=0)",
        lambda: _audit_prepared(total_steps=0),
        r"total_steps must be an integer >= 1, got 0",
    ),
    E(
        "accelerate.audit_accelerator(total_steps='100')",
        lambda: _audit_prepared(total_steps="100"),
        r"total_steps must be an integer >= 1",
    ),
    E(
        "accelerate.audit_accelerator(total_steps=-3)",
        lambda: _audit_prepared(total_steps=-3),
        r"total_steps must be an integer >= 1",
    ),
    E(
        "accelerate.scheduler_steps_per_optimizer_step(None)",
        lambda: _acc().scheduler_steps_per_optimizer_step(None),
        r"expects an accelerate\.Accelerator .* got NoneType",
    ),
    E(
        "accelerate.unwrap_optimizer(None)",
        lambda: _acc().unwrap_optimizer(None),
        r"unwrap_optimizer\(\) needs a torch\.optim\.Optimizer, got NoneType",
    ),
    E(
        "accelerate.unwrap_optimizer(opt.param_groups)",
        lambda: _acc().unwrap_optimizer(adamw(net()).param_groups),
        r"got list",
    ),
    OK(
        "accelerate.unwrap_scheduler(None) is None",
        lambda: _acc().unwrap_scheduler(None),
        lambda v: v is None,
    ),
    OK(
        "accelerate.audit_accelerator on prepared objects: inner objects audited",
        lambda: _audit_prepared(total_steps=100),
        lambda r: (
            (r.summary["optimizer"] == "AdamW" and r.summary["schedule length"] == 100) or r.summary
        ),
    ),
    OK(
        "accelerate.unwrap_optimizer(prepared optimizer) is the torch optimizer",
        lambda: _acc().unwrap_optimizer(_prepared()[2]),
        lambda o: type(o) is torch.optim.AdamW or type(o),
    ),
    # --- loggers
    E(
        "loggers.scalars(None)",
        lambda: _loggers().scalars(None),
        r"record must be one Monitor history record \(a dict\), got NoneType",
    ),
    E(
        "loggers.scalars([records])",
        lambda: _loggers().scalars([{"a": 1}]),
        r"got list; for a whole history use log_history",
    ),
    OK(
        "loggers.scalars(nested record)",
        lambda: _loggers().scalars(
            {"step": 3, "a": 1, "lr": [1e-3, 0.0], "n": {"mean": torch.tensor(0.5)}, "s": "text"}
        ),
        lambda v: (
            v
            == {
                "stepguard/a": 1.0,
                "stepguard/lr/0": 1e-3,
                "stepguard/lr/1": 0.0,
                "stepguard/n/mean": 0.5,
            }
            or v
        ),
    ),
    OK(
        "loggers.scalars keeps NaN",
        lambda: _loggers().scalars({"g": math.nan}),
        lambda v: math.isnan(v["stepguard/g"]) or v,
    ),
    E(
        "loggers.log_history(None, sink)",
        lambda: _loggers().log_history(None, _Sink()),
        r"expected a stepguard Monitor or a list of history records",
    ),
    E(
        "loggers.log_history([], None)",
        lambda: _loggers().log_history([], None),
        r"a sink is a writer with add_scalar",
    ),
    E(
        "loggers.log_history(records, 'tensorboard')",
        lambda: _loggers().log_history([{"a": 1}], "tensorboard"),
        r"got str",
    ),
    E(
        "loggers.log_history(record dict, sink)",
        lambda: _loggers().log_history({"a": 1}, _Sink()),
        r"got dict",
    ),
    E(
        "loggers.log_history(start=-1)",
        lambda: _logged([{"a": 1}], start=-1),
        r"start must be an int >= 0",
    ),
    E(
        "loggers.log_history(start='1')",
        lambda: _logged([{"a": 1}], start="1"),
        r"start must be an int >= 0 .*got '1'",
    ),
    OK(
        "loggers.log_history(start=5) past the end writes nothing",
        lambda: _logged([{"a": 1}], start=5),
        lambda v: v == [],
    ),
    OK(
        "loggers.log_history uses each record's step",
        lambda: _logged([{"step": 7, "a": 1}, {"a": 2}]),
        lambda v: [s for _, s in v] == [7, 1] or v,
    ),
    E("loggers.monitor_log(None)", lambda: _loggers().monitor_log(None), r"a sink is a writer"),
    E("loggers.monitor_log(42)", lambda: _loggers().monitor_log(42), r"got int"),
    E(
        "loggers.log_findings(None)",
        lambda: _loggers().log_findings(None),
        r"report must be a stepguard Report",
    ),
    E(
        "loggers.log_findings([findings])",
        lambda: _loggers().log_findings([Finding("SG101", "x")]),
        r"report must be a stepguard Report .* got list",
    ),
    OK(
        "loggers.log_findings(report): one record per finding, level by severity",
        _log_findings_levels,
        lambda v: v,
    ),
    E(
        "loggers.recent_scalars(None, 0)",
        lambda: _loggers().recent_scalars(None, 0),
        r"expected a stepguard Monitor or a list",
    ),
    E(
        "loggers.recent_scalars(history, -1)",
        lambda: _loggers().recent_scalars([{"a": 1}], -1),
        r"start must be an int >= 0",
    ),
    OK(
        "loggers.recent_scalars([], 0) is empty",
        lambda: _loggers().recent_scalars([], 0),
        lambda v: v == {},
    ),
    OK(
        "loggers.recent_scalars: clip rate over the window, NaN 'clipped' not counted",
        lambda: _loggers().recent_scalars(
            [{"clipped": 1.0}, {"clipped": math.nan}, {"clipped": 0.0}], 0
        ),
        lambda v: v.get("stepguard/clip_rate_window") == 0.5 or v,
    ),
    OK(
        "loggers.tensorboard_writer: a writer, or ImportError naming the extra",
        _tensorboard,
        lambda v: v,
    ),
]
