"""stepguard with Hugging Face Accelerate: audit and unwrap objects prepared by `Accelerator`.

`accelerator.prepare(...)` wraps the optimizer in `AcceleratedOptimizer` and the scheduler in
`AcceleratedScheduler`. Both wrappers only act when the accelerator says gradients are synchronised
(the last micro-batch of an `accelerator.accumulate()` window), so with Accelerate it is *correct* to
call `optimizer.step()` and `scheduler.step()` on every micro-batch, and a schedule must be sized in
optimizer steps (times the number of processes unless `split_batches=True`: the wrapper steps the
scheduler once per process). `audit_accelerator` applies exactly that arithmetic.

The wrappers do not run torch's optimizer hooks (they never call `Optimizer.__init__`), so anything
that hooks the optimizer must see the inner one: `unwrap_optimizer` returns it. `Monitor` unwraps
what it is given itself (`monitor` is a shorthand); `accumulator` builds an `Accumulator` on the
inner objects, because the wrapper's own ``step()`` would also run the GradScaler's step and update.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from stepguard.integrations._extras import missing_extra

try:
    from accelerate import Accelerator
except ImportError as err:  # pragma: no cover - exercised in a subprocess by the tests
    raise missing_extra("accelerate", "accelerate", err) from err

from stepguard import _unwrap
from stepguard.accumulation import Accumulator
from stepguard.auditing import audit
from stepguard.findings import Report
from stepguard.monitoring import Monitor

__all__ = [
    "accumulator",
    "audit_accelerator",
    "monitor",
    "scheduler_steps_per_optimizer_step",
    "unwrap_optimizer",
    "unwrap_scheduler",
]


def unwrap_optimizer(optimizer: torch.optim.Optimizer) -> torch.optim.Optimizer:
    """The torch optimizer inside `AcceleratedOptimizer` wrappers (else `optimizer`); see
    `stepguard._unwrap.unwrap_optimizer` (TypeError when no torch optimizer is found)."""
    return _unwrap.unwrap_optimizer(optimizer, "unwrap_optimizer()")


def unwrap_scheduler(scheduler: Any) -> Any:
    """The scheduler inside `AcceleratedScheduler` wrappers (else `scheduler`, or None)."""
    return _unwrap.unwrap_scheduler(scheduler)


def scheduler_steps_per_optimizer_step(accelerator: Accelerator) -> int:
    """How many times a prepared scheduler advances per optimizer step under this accelerator.

    `AcceleratedScheduler.step()` advances the inner scheduler only on synchronising micro-batches,
    and then once per process unless the dataloaders split batches (`split_batches=True`).
    """
    _check_accelerator(accelerator, "scheduler_steps_per_optimizer_step()")
    return 1 if accelerator.split_batches else int(accelerator.num_processes)


def _check_accelerator(accelerator: object, what: str) -> Accelerator:
    if not isinstance(accelerator, Accelerator):
        raise TypeError(
            f"{what} expects an accelerate.Accelerator as its first argument, got "
            f"{type(accelerator).__name__}; for plain PyTorch objects use stepguard directly"
        )
    return accelerator


def _check_model(model: object, what: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{what} needs the (prepared) model as a torch.nn.Module, got "
            f"{type(model).__name__}; pass the model accelerator.prepare() returned"
        )


def monitor(
    accelerator: Accelerator,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any = None,
    **kwargs: Any,
) -> Monitor:
    """A `Monitor` (not attached yet) on objects prepared by `accelerator`.

    ``Monitor(model, optimizer, scheduler=scheduler, **kwargs)``, which unwraps both: the hooks
    go on the torch optimizer, whose ``step()`` runs once per optimizer
    step (the wrapper skips it on accumulating micro-batches), and on the inner scheduler, which
    advances only when the wrapper really steps it. `accelerator.backward` divides the loss by
    ``gradient_accumulation_steps`` at the root of the graph, which is where the Monitor's SG201
    check looks. Use as ``with monitor(accelerator, model, opt, sched) as mon: <loop>``.
    """
    _check_accelerator(accelerator, "monitor()")
    _check_model(model, "monitor()")
    return Monitor(model, optimizer, scheduler=scheduler, **kwargs)


def accumulator(
    accelerator: Accelerator,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any = None,
    *,
    steps: int | None = None,
    **kwargs: Any,
) -> Accumulator:
    """An `Accumulator` on objects prepared by `accelerator`, in place of ``accelerator.accumulate``.

    ``Accumulator(model, unwrap_optimizer(optimizer), steps=steps or
    accelerator.gradient_accumulation_steps, scheduler=unwrap_scheduler(scheduler),
    scaler=accelerator.scaler, **kwargs)``. Do not combine it with ``accelerator.accumulate()`` or
    ``accelerator.backward()`` (both would scale or skip a second time): call ``acc.backward(loss)``
    in ``for batch in acc.iterate(prepared_loader)``. The prepared model (DDP under several
    processes) is passed as is, so the Accumulator's ``no_sync`` applies to it. The Accumulator
    steps the (inner) scheduler exactly once per optimizer step: size it in optimizer steps.
    The optimizer is unwrapped because `AcceleratedOptimizer.step()` would itself run
    ``scaler.step`` and ``scaler.update`` (a second time), and has no step hooks.
    """
    _check_accelerator(accelerator, "accumulator()")
    _check_model(model, "accumulator()")
    return Accumulator(
        model,
        unwrap_optimizer(optimizer),
        steps=int(accelerator.gradient_accumulation_steps) if steps is None else steps,
        scheduler=unwrap_scheduler(scheduler),
        scaler=kwargs.pop("scaler", accelerator.scaler),
        **kwargs,
    )


def audit_accelerator(
    accelerator: Accelerator,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any = None,
    *,
    total_steps: int | None = None,
    loss: torch.Tensor | None = None,
) -> Report:
    """`stepguard.audit.audit` for objects prepared by `accelerator`.

    Unwraps `AcceleratedOptimizer`/`AcceleratedScheduler` and the model (`accelerator.unwrap_model`),
    and audits with ``accum_steps = accelerator.gradient_accumulation_steps``. `total_steps` is
    the run's number of optimizer steps, e.g. ``math.ceil(len(loader) / k) * epochs`` (with the
    *prepared* loader's length, which is per process). SG205 fires when the scheduler's length is
    `k` times that, i.e. counted in micro-batches; Accelerate already steps a prepared scheduler
    once per optimizer step, so its length must not be multiplied by `k`. With several processes
    and ``split_batches=False`` the wrapper steps the scheduler once per process, and the audit
    expects ``total_steps * num_processes``.
    """
    _check_accelerator(accelerator, "audit_accelerator()")
    _check_model(model, "audit_accelerator()")
    per_step = scheduler_steps_per_optimizer_step(accelerator)
    report = audit(
        accelerator.unwrap_model(model),
        unwrap_optimizer(optimizer),
        scheduler=unwrap_scheduler(scheduler),
        loss=loss,
        total_steps=None if total_steps is None else total_steps * per_step,
        accum_steps=int(accelerator.gradient_accumulation_steps),
    )
    report.summary.setdefault(
        "accelerate_gradient_accumulation_steps", accelerator.gradient_accumulation_steps
    )
    report.summary.setdefault("accelerate_num_processes", accelerator.num_processes)
    return report
