"""Data-parallel plumbing for the Accumulator: the wrapper's gradient-sync switch, the one small
all-reduce per window in which the ranks agree on the window, and a hand-made gradient reduction.

Supports `torch.nn.parallel.DistributedDataParallel` (`no_sync()`) and FSDP2 modules made with
`torch.distributed.fsdp.fully_shard` (`set_requires_gradient_sync`). Both average gradients over
the data-parallel ranks when they sync; `sum_grads` sums them instead (the caller scales).
Everything here is a no-op for a plain module.
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
BUCKET_BYTES = 25 * 2**20  # DDP's default bucket_cap_mb


def parallel_kind(model: nn.Module) -> str | None:
    """``"ddp"``, ``"fsdp"`` (FSDP2 ``fully_shard``) or ``None`` for a module that syncs nothing."""
    if isinstance(model, nn.parallel.DistributedDataParallel):
        return DDP
    if callable(getattr(model, "set_requires_gradient_sync", None)):
        return FSDP
    return None


def process_group(model: nn.Module) -> Any:
    """The process group the model's gradients are averaged over (``None`` = the default group)."""
    if parallel_kind(model) == DDP:
        return getattr(model, "process_group", None)
    return None


def world_size(model: nn.Module) -> int:
    """How many ranks the wrapper averages gradients over; 1 for a plain module.

    DDP divides by its process group's size. FSDP2 divides by its data-parallel mesh size; we read
    the default group's size, which is the same for a 1-D mesh over all ranks (the common case).
    """
    kind = parallel_kind(model)
    if kind is None or not (dist.is_available() and dist.is_initialized()):
        return 1
    return int(dist.get_world_size(process_group(model)))


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


def agree(
    values: Sequence[float], model: nn.Module, device: torch.device, extra: Any = None
) -> list[float]:
    """Sum `values` over the ranks with one all-reduce (float64: counts stay exact to 2**53).

    `extra`, a 0-d tensor on `device` (a count computed there, such as non-finite losses), is added
    to the first value without a host read. One host sync: the ``tolist()`` of the result.
    """
    t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device)
    if extra is not None:
        t[0] += extra.to(device=device, dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.SUM, group=process_group(model))
    return [float(v) for v in t.tolist()]


def sum_grads(params: Sequence[torch.Tensor], model: nn.Module, scale: float) -> None:
    """All-reduce-SUM the `.grad` of `params` over the ranks by hand, then multiply by `scale`.

    For windows whose gradients were accumulated under ``no_sync()`` and that the ranks close
    together (an own loop's windows, a window some ranks have no data for). Gradients travel in
    flat buckets of at most 25 MB per dtype and device, in `params` order (the same on every
    rank); a rank without a gradient for a parameter sends zeros. One flag per parameter rides
    in the buckets: a parameter no rank has a gradient for keeps ``.grad = None``, as DDP leaves
    globally unused parameters. Existing ``.grad`` tensors are written in place (DDP's
    ``gradient_as_bucket_view`` views stay valid).
    """
    group = process_group(model)
    buckets: list[list[torch.Tensor]] = []
    size = 0
    for p in params:
        last = buckets[-1][-1] if buckets else None
        nbytes = p.numel() * p.element_size()
        if (
            last is None
            or last.dtype != p.dtype
            or last.device != p.device
            or size + nbytes > BUCKET_BYTES
        ):
            buckets.append([])
            size = 0
        buckets[-1].append(p)
        size += nbytes
    flags: list[tuple[list[torch.Tensor], torch.Tensor, torch.Tensor]] = []
    for bucket in buckets:
        parts = [
            (p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in bucket
        ]
        have = torch.tensor(
            [0.0 if p.grad is None else 1.0 for p in bucket], dtype=bucket[0].dtype
        ).to(bucket[0].device)
        flat = torch.cat([*parts, have])
        dist.all_reduce(flat, op=dist.ReduceOp.SUM, group=group)
        flags.append((bucket, flat, flat[-len(bucket) :]))
    present = torch.cat([f for _, _, f in flags]).tolist() if flags else []
    i = 0
    for bucket, flat, _ in flags:
        offset = 0
        for p in bucket:
            seg = flat[offset : offset + p.numel()].view_as(p)
            offset += p.numel()
            if present[i] <= 0:
                p.grad = None
            elif p.grad is None:
                p.grad = seg.clone()
            else:
                p.grad.copy_(seg)
            i += 1
    if scale != 1.0:
        grads = [p.grad for p in params if p.grad is not None]
        if grads:
            torch._foreach_mul_(grads, scale)


def skip_next_buffer_broadcast(model: nn.Module) -> None:
    """DDP broadcasts module buffers in the first forward after a synced one; a window that some
    ranks have no data for must not, or the ranks without a forward would miss the collective
    (DDP's own join hook does the same: no forward sync in an iteration that skips grad sync)."""
    if parallel_kind(model) == DDP and hasattr(model, "require_forward_param_sync"):
        setattr(model, "require_forward_param_sync", False)  # noqa: B010


def shadow_forward(model: nn.Module) -> None:
    """Match the collective of DDP's forward on a rank that runs no forward in this window.

    DDP's first forward after its first synced backward rebuilds its gradient buckets, which
    broadcasts the bucket order; a rank without data must take part (DDP's own join hook does
    the same). A no-op afterwards and for anything but DDP.
    """
    reducer = getattr(model, "reducer", None) if parallel_kind(model) == DDP else None
    rebuild = getattr(reducer, "_rebuild_buckets", None)
    if callable(rebuild) and torch.is_grad_enabled():
        rebuild()
