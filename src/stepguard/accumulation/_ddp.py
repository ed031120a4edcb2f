"""Data-parallel plumbing for the Accumulator: find the gradient-sync switch of a wrapped model.

Supports `torch.nn.parallel.DistributedDataParallel` (`no_sync()`) and FSDP2 modules made with
`torch.distributed.fsdp.fully_shard` (`set_requires_gradient_sync`). Both average gradients over
the data-parallel ranks by default; the item-weighted normalisation relies on that (see
`world_size`). Everything here is a no-op for a plain module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

DDP = "ddp"
FSDP = "fsdp"


def parallel_kind(model: nn.Module) -> str | None:
    """``"ddp"``, ``"fsdp"`` (FSDP2 ``fully_shard``) or ``None`` for a module that syncs nothing."""
    if isinstance(model, nn.parallel.DistributedDataParallel):
        return DDP
    if callable(getattr(model, "set_requires_gradient_sync", None)):
        return FSDP
    return None


def process_group(model: nn.Module) -> Any:
    """The process group the model's gradients are averaged over (``None`` = the default group)."""
    return getattr(model, "process_group", None)


def world_size(model: nn.Module) -> int:
    """How many ranks the wrapper averages gradients over; 1 for a plain module.

    DDP divides by its process group's size. FSDP2 divides by its data-parallel mesh size; we read
    the default group's size, which is the same for a 1-D mesh over all ranks (the common case).
    """
    kind = parallel_kind(model)
    if kind is None or not (dist.is_available() and dist.is_initialized()):
        return 1
    return int(dist.get_world_size(process_group(model) if kind == DDP else None))


def default_world_size() -> int:
    """The default process group's size, 1 when torch.distributed is not initialized."""
    if dist.is_available() and dist.is_initialized():
        return int(dist.get_world_size())
    return 1


@contextlib.contextmanager
def no_sync(model: nn.Module) -> Iterator[None]:
    """Turn the wrapper's gradient sync off for the backward passes run inside (forward included)."""
    kind = parallel_kind(model)
    if kind == DDP:
        with model.no_sync():  # type: ignore[operator]
            yield
    elif kind == FSDP:
        model.set_requires_gradient_sync(False)  # type: ignore[operator]
        try:
            yield
        finally:
            model.set_requires_gradient_sync(True)  # type: ignore[operator]
    else:
        yield


def global_sum(values: Sequence[float], model: nn.Module) -> list[float]:
    """Sum numbers over the model's ranks with one all-reduce (returns them unchanged if local)."""
    if world_size(model) == 1:
        return [float(v) for v in values]
    group = process_group(model) if parallel_kind(model) == DDP else None
    # float64 holds integers exactly up to 2**53, far beyond any token count.
    t = torch.tensor([float(v) for v in values], dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.SUM, group=group)
    return [float(v) for v in t.tolist()]


def average_grads(model: nn.Module, params: Sequence[torch.Tensor]) -> None:
    """All-reduce-average `.grad` of `params` by hand (DDP), as DDP's default hook would.

    Needed only when a window ends on a micro-batch that ran under `no_sync()` (an own loop flushed
    mid-window). FSDP2 keeps unsharded gradients internally, so there is no public way to finish
    such a window: that case raises.
    """
    kind = parallel_kind(model)
    if kind is None or world_size(model) == 1:
        return
    if kind == FSDP:
        raise RuntimeError(
            "Accumulator: this window ended on a micro-batch that ran without gradient sync, "
            "and FSDP offers no public way to reduce the held gradients afterwards. Use "
            "acc.iterate(loader), which knows each window's last micro-batch in advance."
        )
    group = process_group(model)
    size = world_size(model)
    grads = [p.grad for p in params if p.grad is not None]
    for g in grads:
        dist.all_reduce(g, op=dist.ReduceOp.SUM, group=group)
    torch._foreach_div_(grads, float(size))
