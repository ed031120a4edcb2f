"""Weight-decay conventions: the decay timescale, and converting a decay value between conventions.

Implementations disagree on what the number called "weight decay" means. For the same per-step
shrinkage of the weights at the peak learning rate ``lr``, the conventions in use are:

================ ==================================================================================
convention       per optimizer step, decay multiplies the weights by
================ ==================================================================================
``"torch"``      ``1 - lr_t * wd``, with ``lr_t = lr * s_t`` the scheduled learning rate
                 (``s_t`` the schedule multiplier, 1 at the peak). This is torch.optim.AdamW /
                 NAdam / RAdam with ``decoupled_weight_decay=True``, Muon, optax ``adamw`` and
                 transformers' Trainer: the decay is coupled to the learning rate.
``"decoupled"``  ``1 - s_t * wd``: the schedule-relative, *fully* decoupled decay of Loshchilov &
                 Hutter's AdamW (their ``eta_t * lambda``, where ``eta_t`` is the schedule
                 multiplier, not the learning rate), also called "independent" weight decay
                 (e.g. MosaicML Composer's ``DecoupledAdamW``). The same decay is ``lr`` times
                 smaller as a ``"torch"`` value: ``wd_decoupled = lr * wd_torch``.
``"tau_steps"``  the EMA timescale ``tau = 1 / (lr * wd_torch)`` in optimizer steps: AdamW's weights
                 are an exponential moving average of recent updates over about ``tau`` steps
                 (Wang & Aitchison, "How to set AdamW's weight decay as you scale model and dataset
                 size", ICML 2025, arXiv:2405.13698).
``"tau_epochs"`` the same timescale in epochs: ``tau_steps / steps_per_epoch`` (steps per epoch
                 counted in *optimizer* steps, i.e. ``ceil(batches / accum_steps)``).
================ ==================================================================================

All four describe the same per-step rate ``r = lr * wd_torch = wd_decoupled = 1 / tau_steps`` at
the peak learning rate. ``1 / r`` is the first-order timescale: the exact e-folding time of
``(1 - r)^t`` is ``-1 / ln(1 - r)``, within 1 % of ``1 / r`` for ``r <= 0.02``. With a schedule,
the decay actually applied over a run is ``sum_t r * s_t``: a cosine schedule to 0 applies about
half of ``total_steps * r``.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal, get_args

__all__ = [
    "CONVENTIONS",
    "Convention",
    "convert_weight_decay",
    "decay_timescale",
    "weight_decay_for_timescale",
]

Convention = Literal["torch", "decoupled", "tau_steps", "tau_epochs"]
CONVENTIONS: tuple[str, ...] = get_args(Convention)


def _positive(
    value: object, what: str, *, allow_zero: bool = False, allow_inf: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise ValueError(f"{what} must be finite, got {value!r}")
    if x < 0 or (x == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{what} must be {bound}, got {value!r}")
    return x


def decay_timescale(lr: float, weight_decay: float) -> float:
    """The decoupled-decay timescale ``tau = 1 / (lr * weight_decay)``, in optimizer steps.

    `weight_decay` is in the ``"torch"`` convention (AdamW's lr-coupled value); `lr` is the peak
    (base) learning rate. Returns ``math.inf`` when ``weight_decay == 0`` (no decay). Example:
    ``decay_timescale(1e-3, 0.1) == 10_000.0``.
    """
    lr_ = _positive(lr, "lr")
    wd = _positive(weight_decay, "weight_decay", allow_zero=True)
    return math.inf if wd == 0 else 1.0 / (lr_ * wd)


def weight_decay_for_timescale(tau_steps: float, lr: float) -> float:
    """The ``"torch"``-convention weight decay whose timescale is `tau_steps` at learning rate `lr`.

    Exactly ``1 / (tau_steps * lr)``, the inverse of `decay_timescale`. ``tau_steps=math.inf``
    gives 0.0. Example: for a 30,000-step run at ``lr=1e-3`` and a timescale of a third of the run,
    ``weight_decay_for_timescale(10_000, 1e-3) == 0.1``.
    """
    tau = _positive(tau_steps, "tau_steps", allow_inf=True)
    lr_ = _positive(lr, "lr")
    return 0.0 if math.isinf(tau) else 1.0 / (tau * lr_)


def convert_weight_decay(
    value: float,
    *,
    from_: Convention,
    to: Convention,
    lr: float | None = None,
    steps_per_epoch: float | None = None,
) -> float:
    """Convert a weight-decay setting between the conventions of this module's table.

    The conversion goes through the per-step rate at the peak learning rate,
    ``r = lr * torch = decoupled = 1 / tau_steps = 1 / (tau_epochs * steps_per_epoch)``.
    `lr` (the peak learning rate) is required when exactly one side is ``"torch"``;
    `steps_per_epoch` (optimizer steps per epoch) when either side is ``"tau_epochs"``. A zero
    decay converts to an infinite timescale and back. Examples (``lr=1e-3``):
    ``torch 0.1 -> decoupled 1e-4 -> tau_steps 10_000``; with ``steps_per_epoch=500``,
    ``tau_epochs 20``.
    """
    for side, name in ((from_, "from_"), (to, "to")):
        if side not in CONVENTIONS:
            raise ValueError(f"{name}={side!r} is not a convention; use one of {CONVENTIONS}")
    is_tau = from_ in ("tau_steps", "tau_epochs")
    x = _positive(value, "value", allow_zero=not is_tau, allow_inf=is_tau)
    if from_ == to:
        return x
    needs_lr = (from_ == "torch") != (to == "torch")
    lr_ = _positive(lr, "lr") if needs_lr else 1.0
    if lr is not None and not needs_lr:
        _positive(lr, "lr")
    spe = 1.0
    if "tau_epochs" in (from_, to):
        if steps_per_epoch is None:
            raise ValueError("converting to or from 'tau_epochs' needs steps_per_epoch=")
        spe = _positive(steps_per_epoch, "steps_per_epoch")

    # The per-step decay rate at the peak learning rate.
    if from_ == "torch":
        rate = lr_ * x
    elif from_ == "decoupled":
        rate = x
    else:
        steps = x * spe if from_ == "tau_epochs" else x
        rate = 0.0 if math.isinf(steps) else 1.0 / steps

    if to == "torch":
        return rate / lr_
    if to == "decoupled":
        return rate
    if rate == 0:
        return math.inf
    return 1.0 / rate / (spe if to == "tau_epochs" else 1.0)
