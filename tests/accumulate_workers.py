"""Shared pieces for the Accumulator tests: float64 models and data, reference loops, DDP workers.

The DDP workers run in processes started by `torch.multiprocessing.spawn`, so they live in an
importable module (not in a test file) and write their results to files the test reads.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from stepguard.accumulation import Accumulator

Batch = tuple[torch.Tensor, torch.Tensor]


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3)).double()


def micro_batches(n: int, size: int = 4, seed: int = 1) -> list[Batch]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n * size, 6, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (n * size,), generator=g)
    return [(x[i * size : (i + 1) * size], y[i * size : (i + 1) * size]) for i in range(n)]


def windows(batches: list[Any], k: int) -> list[list[Any]]:
    return [batches[i : i + k] for i in range(0, len(batches), k)]


def concat(batches: list[Batch]) -> Batch:
    return torch.cat([b[0] for b in batches]), torch.cat([b[1] for b in batches])


def warmup_cosine(optimizer: torch.optim.Optimizer, total: int, warmup: int = 5) -> Any:
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        t = min(1.0, (step - warmup) / max(1, total - warmup))
        return 0.5 * (1 + math.cos(math.pi * t))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, f)


def big_batch_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss: torch.Tensor,
    clip: float | None = None,
    scheduler: Any = None,
) -> None:
    loss.backward()
    if clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if scheduler is not None:
        scheduler.step()


def max_diff(a: nn.Module, b: nn.Module) -> float:
    return max(
        float((p.detach() - q.detach()).abs().max())
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


# ------------------------------------------------------------------ variable-length sequences
VOCAB = 11
PAD = -100


class TokenModel(nn.Module):
    """Embedding + per-token MLP + a causal running mean: a tiny sequence model in float64."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.emb = nn.Embedding(VOCAB, 8)
        self.mix = nn.Linear(16, 8)
        self.head = nn.Linear(8, VOCAB)
        self.double()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h = self.emb(tokens)
        steps = torch.arange(1, tokens.shape[1] + 1, dtype=h.dtype).view(1, -1, 1)
        ctx = h.cumsum(1) / steps
        return self.head(torch.tanh(self.mix(torch.cat([h, ctx], -1))))


def sequences(n_micro: int, per_micro: int = 3, max_len: int = 12, seed: int = 3) -> list[Batch]:
    """Micro-batches of padded sequences whose real lengths differ a lot between micro-batches."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n_micro):
        # Alternate short and long micro-batches: unequal token counts inside each window.
        hi = 3 if i % 2 == 0 else max_len
        lengths = torch.randint(1, hi + 1, (per_micro,), generator=g)
        tokens = torch.randint(0, VOCAB, (per_micro, max_len), generator=g)
        labels = torch.randint(0, VOCAB, (per_micro, max_len), generator=g)
        mask = torch.arange(max_len).view(1, -1) >= lengths.view(-1, 1)
        labels[mask] = PAD
        out.append((tokens, labels))
    return out


def token_loss(model: nn.Module, batch: Batch, reduction: str = "mean") -> torch.Tensor:
    tokens, labels = batch
    logits = model(tokens)
    return F.cross_entropy(
        logits.flatten(0, 1), labels.flatten(), ignore_index=PAD, reduction=reduction
    )


def count_tokens(batch: Batch) -> int:
    return int((batch[1] != PAD).sum())


# ------------------------------------------------------------------------------ DDP workers
def _init(rank: int, world: int, store: str) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world)


def ddp_worker(rank: int, world: int, store: str, out_dir: str) -> None:
    """Runs three accumulated DDP trainings and saves parameters and all-reduce counts."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    _init(rank, world, store)
    k, n_windows = 4, 5
    result: dict[str, Any] = {}

    def counting_hook(calls: list[int]) -> Callable[..., Any]:
        from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook

        # No annotations: DDP checks the hook's annotations and rejects anything but GradBucket.
        def hook(state, bucket):  # type: ignore[no-untyped-def]
            calls.append(1)
            return allreduce_hook(state, bucket)

        return hook

    # 1) mean mode, no_sync through iterate(), k*n_windows micro-batches per rank (+ partial).
    data = micro_batches(world * (k * n_windows + 2), size=4, seed=7)
    mine = data[rank::world]
    for label, use_acc in (("acc", True), ("naive", False)):
        model = DDP(mlp(), bucket_cap_mb=1000)
        calls: list[int] = []
        model.register_comm_hook(None, counting_hook(calls))
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
        if use_acc:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                acc = Accumulator(model, opt, steps=k, clip_grad_norm=0.5)
            result["wrapped_warnings"] = [str(w.message) for w in caught]
            for x, y in acc.iterate(mine):
                acc.backward(F.cross_entropy(model(x), y))
            result[f"{label}_steps"] = acc.optimizer_steps
        else:  # the seed's loop without no_sync: syncs every micro-batch (SG208)
            for i, (x, y) in enumerate(mine):
                (F.cross_entropy(model(x), y) / k).backward()
                if (i + 1) % k == 0:
                    opt.step()
                    opt.zero_grad()
        result[f"{label}_allreduce_calls"] = len(calls)
        result[f"{label}_params"] = [p.detach().clone() for p in model.module.parameters()]

    # 2) item-weighted under DDP: unequal token counts across ranks and micro-batches.
    seqs = sequences(world * k * 3, seed=11)
    mine_s = seqs[rank::world]
    tmodel = DDP(TokenModel(), bucket_cap_mb=1000)
    opt = torch.optim.AdamW(tmodel.parameters(), lr=1e-2, weight_decay=0.1)
    acc = Accumulator(tmodel, opt, steps=k, items=count_tokens)
    for b in acc.iterate(mine_s):
        acc.backward(token_loss(tmodel, b, "sum"))
    result["tokens_params"] = [p.detach().clone() for p in tmodel.module.parameters()]
    result["tokens_local"] = sum(count_tokens(b) for b in mine_s)

    # 3) own loop with acc.micro_batch() and a partial window flushed by hand.
    model = DDP(mlp(), bucket_cap_mb=1000)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    acc = Accumulator(model, opt, steps=k)
    own = mine[: k + 2]
    for x, y in own:
        with acc.micro_batch():
            acc.backward(F.cross_entropy(model(x), y))
    acc.flush()
    result["own_params"] = [p.detach().clone() for p in model.module.parameters()]

    # 4) The unwrapped module under a multi-rank group: a warning, not silent mis-scaling.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Accumulator(model.module, opt, steps=k)
    result["unwrapped_warning"] = [str(w.message) for w in caught]

    # 5) FSDP2 (fully_shard) through set_requires_gradient_sync.
    result.update(_fsdp_part(rank, world))

    torch.save(result, Path(out_dir) / f"rank{rank}.pt")
    dist.barrier()
    dist.destroy_process_group()


def _fsdp_part(rank: int, world: int) -> dict[str, Any]:
    """FSDP2 (`fully_shard`) on CPU/gloo with the Accumulator; returns the full parameters."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    k = 4
    mesh = init_device_mesh("cpu", (world,))
    model = mlp()
    fully_shard(model, mesh=mesh)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    acc = Accumulator(model, opt, steps=k)
    data = micro_batches(world * (k * 3 + 1), size=4, seed=7)
    for x, y in acc.iterate(data[rank::world]):
        acc.backward(F.cross_entropy(model(x), y))
    full = [p.full_tensor().detach().clone() for p in model.parameters()]  # type: ignore[attr-defined]
    return {"fsdp_params": full, "fsdp_steps": acc.optimizer_steps}
