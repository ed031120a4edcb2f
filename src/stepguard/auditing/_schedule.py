"""Read how many scheduler steps a learning-rate schedule is sized for (SG205 in the audit, the
Monitor and the Lightning callback; public for integrations that check their own schedules).

`schedule_length(scheduler)` returns ``(steps, source)``: the number of ``scheduler.step()`` calls
after which the schedule reaches its end, and the attribute it was read from; ``(None, reason)``
when the schedule has no end or its length cannot be read. What can be read:

========================================== ======================================================
scheduler                                  length
========================================== ======================================================
OneCycleLR                                 ``total_steps``
CosineAnnealingLR                          ``T_max``
PolynomialLR                               ``total_iters``
LinearLR that decays (end < start factor)  ``total_iters`` (a rising LinearLR is a warmup)
SequentialLR                               last milestone + length of the last scheduler
ChainedScheduler                           the longest known length of its schedulers
LambdaLR / MultiplicativeLR                a ``functools.partial`` lambda with a
                                           ``num_training_steps`` / ``total_steps`` keyword (every
                                           transformers ``get_*_schedule_with_warmup``), or a
                                           WSD lambda (warmup + stable + decay steps)
wrappers (accelerate), Lightning's dict    the wrapped ``.scheduler`` / ``["scheduler"]``
========================================== ======================================================

A plain lambda or closure (``LambdaLR(opt, lambda s: ...)``) hides its length: it is reported
as unknown. StepLR, MultiStepLR, ExponentialLR, ConstantLR, CyclicLR, CosineAnnealingWarmRestarts
and ReduceLROnPlateau have no run length.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from torch.optim import lr_scheduler as L

from stepguard._unwrap import unwrap_scheduler

__all__ = ["schedule_length"]

_LENGTH_KEYWORDS = ("num_training_steps", "total_steps", "num_train_steps", "max_steps")
_WSD_KEYWORDS = ("num_warmup_steps", "num_stable_steps", "num_decay_steps")


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return int(value)


def _lambda_length(fn: Any) -> tuple[int | None, str]:
    if isinstance(fn, functools.partial):
        kw = fn.keywords
        for key in _LENGTH_KEYWORDS:
            if _int(kw.get(key)) is not None:
                return _int(kw[key]), f"lr_lambda {key}={kw[key]}"
        if all(_int(kw.get(k)) is not None or kw.get(k) == 0 for k in _WSD_KEYWORDS):
            total = sum(int(kw[k]) for k in _WSD_KEYWORDS)
            return total, "lr_lambda warmup + stable + decay steps"
    name = getattr(fn, "__name__", type(fn).__name__)
    return None, f"the length of lr_lambda {name!r} cannot be read (a plain function or closure)"


def schedule_length(scheduler: Any) -> tuple[int | None, str]:
    """``(steps, source)``: how many scheduler steps `scheduler` is sized for; see the module doc.

    Raises TypeError when `scheduler` is not a scheduler object (no ``step()`` method: None, a
    name such as ``"cosine"``, a scheduler class instead of an instance).
    """
    if isinstance(scheduler, Mapping):  # Lightning's {"scheduler": ..., "interval": ...}
        if "scheduler" not in scheduler:
            raise TypeError(
                "schedule_length() got a dict without a 'scheduler' key; pass the scheduler "
                "object (or Lightning's {'scheduler': sched, 'interval': 'step'} config)"
            )
        return schedule_length(scheduler["scheduler"])
    if isinstance(scheduler, type) or not callable(getattr(scheduler, "step", None)):
        raise TypeError(
            f"schedule_length() needs a learning-rate scheduler object with a step() method, "
            f"got {type(scheduler).__name__} {scheduler!r:.60}; pass the scheduler itself, e.g. "
            "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=...)"
        )
    inner = unwrap_scheduler(scheduler)
    if inner is not scheduler:
        return schedule_length(inner)
    kind = type(scheduler).__name__
    if isinstance(scheduler, L.OneCycleLR):
        return _int(scheduler.total_steps), f"OneCycleLR total_steps={scheduler.total_steps}"
    if isinstance(scheduler, L.CosineAnnealingLR):
        return _int(scheduler.T_max), f"CosineAnnealingLR T_max={scheduler.T_max}"
    if isinstance(scheduler, L.PolynomialLR):
        return _int(scheduler.total_iters), f"PolynomialLR total_iters={scheduler.total_iters}"
    if isinstance(scheduler, L.LinearLR):
        if scheduler.end_factor < scheduler.start_factor:
            return _int(scheduler.total_iters), f"LinearLR total_iters={scheduler.total_iters}"
        return None, "a rising LinearLR is a warmup, not the run's schedule"
    if isinstance(scheduler, L.SequentialLR):
        milestones = list(scheduler._milestones)
        last, how = schedule_length(scheduler._schedulers[-1])
        if last is None:
            return None, f"SequentialLR's last scheduler: {how}"
        start = milestones[-1] if milestones else 0
        return start + last, f"SequentialLR milestone {start} + {how}"
    if isinstance(scheduler, L.ChainedScheduler):
        known = [schedule_length(s) for s in scheduler._schedulers]
        lengths = [(n, how) for n, how in known if n is not None]
        if not lengths:
            return None, "no scheduler in the ChainedScheduler has a readable length"
        return max(lengths)
    if isinstance(scheduler, (L.LambdaLR, L.MultiplicativeLR)):
        fns = getattr(scheduler, "lr_lambdas", [])
        found = [_lambda_length(fn) for fn in fns]
        lengths = [(n, how) for n, how in found if n is not None]
        if lengths:
            return max(lengths)
        return None, found[0][1] if found else f"{kind} without lr_lambdas"
    return None, f"{kind} has no run length"
