"""How an optimizer applies weight decay: coupled L2 (through the gradient) or decoupled (SG101).

`decay_style(optimizer, group)` answers for one param group with ``"coupled"`` (the decay term
``wd * w`` is added to the gradient and passes through the optimizer's adaptive moments: SG101),
``"decoupled"`` (the weights are shrunk directly, ``w *= 1 - lr * wd``), ``"sgd"`` (coupled, but
without adaptive moments coupled L2 *is* a decay: ``w *= 1 - lr * wd`` per step, amplified by
momentum), or ``"unknown"``; plus how it was recognised.

Recognised:

* torch, from the table in `stepguard._optimizers` (shared with the linter): AdamW, Muon,
  Adafactor (decoupled); Adam, NAdam, RAdam (coupled unless the group's ``decoupled_weight_decay``
  is true; torch versions without that key are coupled); Adamax, RMSprop, Adagrad, Adadelta
  (always coupled); SGD, ASGD ("sgd"). Subclasses inherit their base class's answer.
* bitsandbytes (recognised by module and class name, without importing it): the Adam family
  (``Adam``, ``Adam8bit``, ``PagedAdam32bit``, ``AdamW*``, ...) applies decoupled decay (its
  maintainer: "bnb.optim.Adam uses the AdamW formulation if weight decay > 0",
  facebookresearch/bitsandbytes#13); its RMSprop and Adagrad are coupled.
* transformers' Adafactor and (removed in v5) AdamW: decoupled.
* any other class whose name, with ``Fused``/``Paged``/``DeepSpeed``/``CPU``/``8bit``/``32bit``
  removed, is Adam, NAdam, RAdam, Adamax, RMSprop or Adagrad (apex and DeepSpeed ``FusedAdam``,
  ``DeepSpeedCPUAdam``, ...): coupled, unless a decoupling flag is set on the group, the defaults
  or the instance: ``decoupled_weight_decay``, ``adam_w_mode`` / ``adamw_mode`` (apex,
  DeepSpeed; default on), ``weight_decouple`` (AdaBelief), ``decouple_weight_decay``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

import torch

from stepguard._optimizers import TORCH_OPTIMIZERS, OptimizerFacts

__all__ = ["DecayStyle", "decay_style", "sgd_effective_lr"]

DecayStyle = Literal["coupled", "decoupled", "sgd", "unknown"]

_FLAGS = (
    "decoupled_weight_decay",
    "adam_w_mode",
    "adamw_mode",
    "weight_decouple",
    "decouple_weight_decay",
)
_COUPLED_FAMILY = frozenset({"adam", "nadam", "radam", "adamax", "rmsprop", "adagrad"})
_NAME_NOISE = re.compile(r"fused|paged|deepspeed|cpu|8bit|32bit|legacy", re.IGNORECASE)


def _torch_facts(cls: type) -> OptimizerFacts | None:
    """The table entry of `cls` or of the nearest `torch.optim` class it derives from."""
    for base in cls.__mro__:
        if base.__module__.startswith("torch.optim") and base.__name__ in TORCH_OPTIMIZERS:
            return TORCH_OPTIMIZERS[base.__name__]
    return None


def _flag(optimizer: Any, group: Mapping[str, Any]) -> tuple[str, bool] | None:
    defaults = getattr(optimizer, "defaults", {})
    for key in _FLAGS:
        for where in (group, defaults):
            if key in where:
                return key, bool(where[key])
        if hasattr(optimizer, key):
            return key, bool(getattr(optimizer, key))
    return None


def decay_style(optimizer: Any, group: Mapping[str, Any]) -> tuple[DecayStyle, str]:
    """``(style, how recognised)`` for one param group of `optimizer`; see the module doc."""
    cls = type(optimizer)
    name = cls.__name__
    facts = _torch_facts(cls)
    if facts is not None:
        if facts.decay == "decoupled":
            return "decoupled", f"{name} applies decoupled weight decay"
        if facts.decay == "flag" and facts.flag is not None:
            if group.get(facts.flag, False):
                return "decoupled", f"{name} with {facts.flag}=True"
            return "coupled", f"{name} adds weight_decay * w to the gradient ({facts.flag} off)"
        if facts.decay == "coupled" and facts.adaptive:
            return "coupled", f"{name} adds weight_decay * w to the gradient (no decoupled mode)"
        if facts.decay == "coupled":
            return "sgd", f"{name}: coupled L2 without adaptive moments acts as decay"
    if isinstance(optimizer, torch.optim.Optimizer) and cls.__module__.startswith("torch."):
        return "unknown", f"torch {name}"

    family = _NAME_NOISE.sub("", name).lower()
    module = cls.__module__
    if module.startswith("bitsandbytes"):
        if family.startswith("adam") or family in ("lion", "lamb", "ademamix"):
            return "decoupled", f"bitsandbytes {name} applies decoupled weight decay"
        if family in ("rmsprop", "adagrad"):
            return "coupled", f"bitsandbytes {name} adds weight_decay * w to the gradient"
    if module.startswith("transformers") and family in ("adafactor", "adamw"):
        return "decoupled", f"transformers {name} applies decoupled weight decay"
    if family == "adamw":
        return "decoupled", f"{name} (recognised by class name) applies decoupled weight decay"
    if family in _COUPLED_FAMILY:
        flag = _flag(optimizer, group)
        if flag is not None:
            key, on = flag
            if on:
                return "decoupled", f"{name} with {key}=True"
            return "coupled", f"{name} with {key}=False (recognised by class name and flag)"
        return "coupled", f"{module}.{name} recognised by class name as a coupled {family}"
    return "unknown", f"{module}.{name}"


def sgd_effective_lr(lr: float, group: Mapping[str, Any]) -> tuple[float, str]:
    """``(rate, expression)``: the learning rate that multiplies SGD's decay, and its Python text.

    With momentum ``mu`` the momentum buffer averages ``(1 - dampening) * (g + wd * w)`` with
    weight ``1 / (1 - mu)``, so the steady-state decay per step is ``rate * wd`` with ``rate =
    lr * (1 - dampening) / (1 - mu)`` (Nesterov has the same steady state). ``rate`` is evaluated
    exactly as ``expression`` reads (``"0.1 / (1 - 0.9)"``), so advice built from the expression
    prints the value it computes; without momentum it is ``lr`` itself. Never raises:
    ``momentum >= 1`` (a buffer that never forgets: no steady state) gives ``math.inf``,
    ``dampening >= 1`` (nothing enters the buffer after the first step) 0 or less; callers treat
    a rate that is not finite and positive as "no timescale".
    """
    mu = float(group.get("momentum", 0.0) or 0.0)
    damp = float(group.get("dampening", 0.0) or 0.0)
    if mu == 0:
        return lr, repr(lr)
    if mu >= 1:
        return math.inf, f"{lr!r} / (1 - {mu!r})"
    if damp == 0:
        return lr / (1 - mu), f"{lr!r} / (1 - {mu!r})"
    return lr * (1 - damp) / (1 - mu), f"{lr!r} * (1 - {damp!r}) / (1 - {mu!r})"
