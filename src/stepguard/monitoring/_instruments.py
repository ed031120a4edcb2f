"""The Monitor's measurements: fused reductions over parameters and gradients, no host syncs.

Everything here returns tensors on one device and never reads a value back to the host; the
Monitor stacks one step's numbers into one vector and reads all pending rows with a single copy
when `history` is asked for. Reductions use `torch._foreach_norm` per (device, dtype) bucket, so a
model with hundreds of tensors costs a handful of kernel launches per measurement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from stepguard.groups._classify import classify

__all__ = ["ParamTable", "foreach_norms", "group_l2", "l1_mean"]


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
