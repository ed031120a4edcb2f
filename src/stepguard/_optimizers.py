"""What every `torch.optim` optimizer does with `weight_decay`: one torch-free table.

The linter (which never imports torch) and the audit (which holds live optimizers) both read this
table, so they cannot disagree about which optimizer couples its decay (SG101), where
`weight_decay` sits among the positional arguments, or which flag decouples it. A test checks the
table against the signatures of the installed torch and runs both detectors on every class.

`decay` is how a positive ``weight_decay`` is applied:

* ``"coupled"``: ``wd * w`` is added to the gradient. Through an adaptive denominator (Adam's
  second moment, RMSprop, Adagrad, Adadelta) large weights barely decay: SG101. Without one (SGD,
  ASGD) coupled L2 *is* a decay, ``w *= 1 - lr * wd`` per step.
* ``"decoupled"``: the weights are shrunk directly (AdamW, Muon, Adafactor).
* ``"flag"``: coupled unless the decoupling flag `flag` is true (Adam, NAdam, RAdam).
* ``"none"``: the optimizer takes no ``weight_decay``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["TORCH_OPTIMIZERS", "DecayKind", "OptimizerFacts", "coupled_names"]

DecayKind = Literal["coupled", "decoupled", "flag", "none"]


@dataclass(frozen=True)
class OptimizerFacts:
    """How one `torch.optim` class takes and applies weight decay.

    `wd_index` / `flag_index` count positional parameters with ``params`` at 0 (None: keyword-only
    or absent); `wd_default` is the class default of ``weight_decay``; `adaptive` says whether the
    update divides by a per-coordinate statistic (what makes coupled decay wrong).
    """

    name: str
    decay: DecayKind
    adaptive: bool
    wd_index: int | None = None
    wd_default: float = 0.0
    flag: str | None = None
    flag_index: int | None = None

    @property
    def couples_adaptively(self) -> bool:
        """True when a positive decay, with the flag (if any) off, is SG101's coupled L2."""
        return self.adaptive and self.decay in ("coupled", "flag")


def _f(
    name: str,
    decay: DecayKind,
    adaptive: bool,
    wd_index: int | None = None,
    wd_default: float = 0.0,
    flag_index: int | None = None,
) -> OptimizerFacts:
    flag = "decoupled_weight_decay" if decay == "flag" else None
    return OptimizerFacts(name, decay, adaptive, wd_index, wd_default, flag, flag_index)


TORCH_OPTIMIZERS: Mapping[str, OptimizerFacts] = {
    f.name: f
    for f in (
        _f("Adam", "flag", True, wd_index=4),  # decoupled_weight_decay is keyword-only
        _f("NAdam", "flag", True, wd_index=4, flag_index=6),
        _f("RAdam", "flag", True, wd_index=4, flag_index=5),
        _f("Adamax", "coupled", True, wd_index=4),
        _f("RMSprop", "coupled", True, wd_index=4),
        _f("Adagrad", "coupled", True, wd_index=3),
        _f("Adadelta", "coupled", True, wd_index=4),
        _f("AdamW", "decoupled", True, wd_index=4, wd_default=0.01),
        _f("Adafactor", "decoupled", True, wd_index=5),
        _f("Muon", "decoupled", False, wd_index=2, wd_default=0.1),
        _f("SGD", "coupled", False, wd_index=4),
        _f("ASGD", "coupled", False, wd_index=5),
        _f("Rprop", "none", True),
        _f("LBFGS", "none", False),
        _f("SparseAdam", "none", True),
    )
}


def coupled_names() -> frozenset[str]:
    """Names of the `torch.optim` classes for which a positive decay can be SG101."""
    return frozenset(n for n, f in TORCH_OPTIMIZERS.items() if f.couples_adaptively)
