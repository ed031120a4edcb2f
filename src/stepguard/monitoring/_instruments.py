"""The Monitor's measurements: fused reductions over parameters and gradients, no host syncs.

Everything here returns tensors on one device and never reads a value back to the host:
`Instruments` stacks one step's numbers into one vector, and the Monitor reads all pending rows
with a single copy when `history` is asked for. Reductions use `torch._foreach_norm` per (device,
dtype) bucket, so a model with hundreds of tensors costs a handful of kernel launches per
measurement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from stepguard.groups._classify import classify

__all__ = ["Instruments", "ParamTable", "foreach_norms", "group_l2", "l1_mean"]

_NAN = float("nan")


def foreach_norms(
    tensors: Sequence[torch.Tensor], device: torch.device, ord: float = 2.0
) -> torch.Tensor:
    """Per-tensor norms of `tensors` as one float32 vector on `device`, in input order.

    One `torch._foreach_norm` call per (device, dtype) bucket; the result is assembled with an
    index copy, so nothing is read back to the host.
    """
    if not tensors:
        return torch.zeros(0, device=device)
    buckets: dict[tuple[torch.device, torch.dtype], list[int]] = {}
    for i, t in enumerate(tensors):
        buckets.setdefault((t.device, t.dtype), []).append(i)
    if len(buckets) == 1:
        return torch.stack(torch._foreach_norm(list(tensors), ord)).float().to(device)
    out = torch.empty(len(tensors), device=device)
    for idx in buckets.values():
        part = torch.stack(torch._foreach_norm([tensors[i] for i in idx], ord)).float()
        out[torch.tensor(idx, device=device)] = part.to(device)
    return out


def l1_mean(tensors: Sequence[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Mean absolute value over all elements of `tensors` (NaN when there are none)."""
    if not tensors:
        return torch.tensor(float("nan"), device=device)
    numel = sum(t.numel() for t in tensors)
    return foreach_norms(tensors, device, ord=1.0).sum() / numel


def group_l2(per_tensor: torch.Tensor, group_index: torch.Tensor, groups: int) -> torch.Tensor:
    """L2 norm per group from per-tensor L2 norms: ``sqrt(sum of squares)`` over each group."""
    sq = torch.zeros(groups, device=per_tensor.device)
    sq.index_add_(0, group_index, per_tensor.square())
    return sq.sqrt()


@dataclass
class ParamTable:
    """The optimizer's parameters in a fixed order, with what the instruments need to know.

    `params` are the trainable tensors of the optimizer's groups (group order, then order within
    the group); `group` is each one's group index; `decayed` says its group has
    ``weight_decay > 0``; `names` come from the model (``"<unnamed #i>"`` for tensors the model does
    not own). `norm_weights` are the weights of normalization layers and `biases` every bias,
    recognised by module type and role (`stepguard.groups._classify.classify`), not by name.
    """

    params: list[torch.Tensor]
    group: list[int]
    decayed: list[bool]
    names: list[str]
    groups: int
    norm_weights: list[torch.Tensor] = field(default_factory=list)
    biases: list[torch.Tensor] = field(default_factory=list)

    @classmethod
    def build(cls, model: nn.Module, optimizer: torch.optim.Optimizer) -> ParamTable:
        """Read `optimizer.param_groups` and classify `model`'s tensors."""
        decisions = classify(model)
        names_by_id = {id(d.param): d.name for d in decisions}
        params: list[torch.Tensor] = []
        group: list[int] = []
        decayed: list[bool] = []
        names: list[str] = []
        for gi, g in enumerate(optimizer.param_groups):
            wd = g.get("weight_decay", 0.0)
            for p in g["params"]:
                if not p.requires_grad:
                    continue
                params.append(p)
                group.append(gi)
                decayed.append(bool(float(wd) > 0.0))
                names.append(names_by_id.get(id(p), f"<unnamed #{len(params) - 1}>"))
        norm_weights: list[torch.Tensor] = [
            d.param for d in decisions if d.reason == "norm" and not d.name.endswith("bias")
        ]
        biases: list[torch.Tensor] = [
            d.param
            for d in decisions
            if d.reason == "bias" or (d.reason == "norm" and d.name.endswith("bias"))
        ]
        return cls(
            params=params,
            group=group,
            decayed=decayed,
            names=names,
            groups=len(optimizer.param_groups),
            norm_weights=norm_weights,
            biases=biases,
        )


class Instruments:
    """The health readings of one attached Monitor, taken on watched steps.

    `measure()` runs once a step's gradients are final, before the update: per-tensor gradient
    norms (their global norm, and SG106's counts of all-zero gradients) and, with
    `update_ratio`, a copy of the parameters. `readings()` runs after the update and returns the
    step's values stacked in one tensor on the device, nothing read back.

    Args:
        table: the optimizer's trainable tensors (`ParamTable`).
        update_ratio: keep a parameter copy to measure ``||w_after - w_before|| / ||w_after||``.
    """

    def __init__(self, table: ParamTable, update_ratio: bool) -> None:
        self.table = table
        self.update_ratio = update_ratio
        self.device = table.params[0].device if table.params else torch.device("cpu")
        n = len(table.params)
        self._group_index = torch.tensor(table.group, dtype=torch.long, device=self.device)
        self.zero_count = torch.zeros(n, device=self.device)  # SG106: all-zero gradients seen
        self.seen_count = torch.zeros(n, device=self.device)  # ... out of this many readings
        self.first_step: int | None = None  # first measured step (SG106 counts from it)
        self._snapshot: list[torch.Tensor] | None = None
        self._grad_norm: torch.Tensor | None = None

    def forget(self) -> None:
        """A new step starts: drop the previous step's pre-update reading."""
        self._grad_norm = None

    def release(self) -> None:
        """Free the parameter copy (at detach)."""
        self._snapshot = None

    def measure(self, step: int) -> None:
        """The pre-update readings of optimizer step `step`."""
        t, dev = self.table, self.device
        with torch.no_grad():
            idx = [i for i, p in enumerate(t.params) if p.grad is not None]
            grads = [t.params[i].grad for i in idx]
            norms = foreach_norms(grads, dev)  # type: ignore[arg-type]
            idx_t = torch.tensor(idx, dtype=torch.long, device=dev)
            self.zero_count.index_add_(0, idx_t, (norms == 0).float())
            self.seen_count.index_add_(0, idx_t, torch.ones_like(norms))
            if self.first_step is None:
                self.first_step = step
            self._grad_norm = norms.square().sum().sqrt()
            if self.update_ratio and t.params:
                if self._snapshot is None:
                    self._snapshot = [torch.empty_like(p) for p in t.params]
                torch._foreach_copy_(self._snapshot, t.params)

    def readings(
        self,
        extra: dict[str, torch.Tensor],
        *,
        clip_norm: torch.Tensor | None,
        clip_hit: torch.Tensor | None,
        clip_rate: torch.Tensor | None,
        scale: torch.Tensor | None,
        has_scaler: bool,
        skipped: bool,
    ) -> tuple[list[str], torch.Tensor]:
        """The step's values after the update: `extra` (tensor learning rates), ``grad_norm``
        (`clip_norm`, the norm the window's last clipping call measured, else the measured one),
        ``clipped`` (`clip_hit`), ``clip_rate``, ``scale`` (with `has_scaler`),
        ``norm_weight_mean_abs``, ``bias_mean_abs`` and ``update_ratio_group<i>`` (not for a
        `skipped` step); as (keys, one stacked float tensor on the device). None reads as NaN."""
        t, dev = self.table, self.device
        nan = torch.tensor(_NAN, device=dev)
        vals = dict(extra)
        with torch.no_grad():
            measured = self._grad_norm if self._grad_norm is not None else nan
            vals["grad_norm"] = clip_norm if clip_norm is not None else measured
            vals["clipped"] = clip_hit if clip_hit is not None else nan
            vals["clip_rate"] = clip_rate if clip_rate is not None else nan
            if has_scaler:
                vals["scale"] = scale if scale is not None else nan
            vals["norm_weight_mean_abs"] = l1_mean(t.norm_weights, dev)
            vals["bias_mean_abs"] = l1_mean(t.biases, dev)
            if self.update_ratio:
                ratios = torch.full((t.groups,), _NAN, device=dev)
                if self._snapshot is not None and self._grad_norm is not None and not skipped:
                    torch._foreach_sub_(self._snapshot, t.params)
                    upd = group_l2(foreach_norms(self._snapshot, dev), self._group_index, t.groups)
                    w = group_l2(foreach_norms(t.params, dev), self._group_index, t.groups)
                    ratios = upd / w
                for gi in range(t.groups):
                    vals[f"update_ratio_group{gi}"] = ratios[gi]
            packed = torch.stack([v.reshape(()).float().to(dev) for v in vals.values()])
        return list(vals), packed
