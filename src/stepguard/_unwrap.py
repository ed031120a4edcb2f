"""Find the torch optimizer / LR scheduler inside the wrappers that training frameworks put around them.

accelerate's `AcceleratedOptimizer` subclasses `torch.optim.Optimizer` but never runs its
``__init__`` (no step hooks) and holds the real one in ``.optimizer``; Lightning's
`LightningOptimizer` is not an `Optimizer` and holds it in ``._optimizer``. accelerate's
`AcceleratedScheduler` holds the real scheduler in ``.scheduler`` and steps it only on
synchronising micro-batches. Anything that hooks or patches these objects, or compares which
optimizer a scheduler drives, must look at the inner objects. Duck-typed: importing neither
framework.
"""

from __future__ import annotations

from typing import Any

import torch

_MAX_DEPTH = 4  # wrappers of wrappers (e.g. a DeepSpeed optimizer inside accelerate's)


def unwrap_optimizer(optimizer: object, who: str = "audit()") -> torch.optim.Optimizer:
    """The torch optimizer inside up to four ``.optimizer`` / ``._optimizer`` wrappers.

    Returns `optimizer` itself when it wraps nothing. Raises `TypeError` (naming `who`, the
    caller) when what is left is not a `torch.optim.Optimizer`.
    """
    for _ in range(_MAX_DEPTH):
        inner = getattr(optimizer, "optimizer", None) or getattr(optimizer, "_optimizer", None)
        if isinstance(inner, torch.optim.Optimizer) and inner is not optimizer:
            optimizer = inner
        else:
            break
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"{who} needs a torch.optim.Optimizer, got {type(optimizer).__name__}; pass the "
            "optimizer object (e.g. torch.optim.AdamW(...)), not its param_groups or state_dict"
        )
    return optimizer


def unwrap_scheduler(scheduler: Any) -> Any:
    """The LR scheduler inside up to four ``.scheduler`` wrappers (else `scheduler`, or None)."""
    for _ in range(_MAX_DEPTH):
        inner = getattr(scheduler, "scheduler", None)
        if inner is None or inner is scheduler or not callable(getattr(inner, "step", None)):
            break
        scheduler = inner
    return scheduler
