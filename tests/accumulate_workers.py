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
    import datetime

    import torch.distributed as dist

    torch.set_num_threads(1)
    # A collective that no other rank matches fails after 60 s instead of hanging the suite.
    dist.init_process_group(
        "gloo",
        init_method=f"file://{store}",
        rank=rank,
        world_size=world,
        timeout=datetime.timedelta(seconds=60),
    )


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

    # 6) Ragged windows and uneven inputs (issue 12), counting the small all-reduces.
    result["ranks"] = _ranks_part(rank, world)

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


# ------------------------------------------------------- ragged and uneven ranks (issue 12)
K_RANKS = 4
OWN_COUNTS = [(6, 5), (8, 7), (10, 9), (7, 7), (11, 5)]  # micro-batches on rank 0 and rank 1
ITER_COUNTS = [(6, 5), (8, 7), (11, 5), (3, 9)]


def rank_data(kind: str, n: int, rank: int) -> list[Batch]:
    """Rank `rank`'s micro-batches: equal-size rows (mean) or padded sequences (tokens)."""
    if kind == "mean":
        return micro_batches(n, size=4, seed=100 + rank)
    return sequences(n, seed=200 + rank)


class Tempered(nn.Module):
    """A criterion with a learnable temperature: a parameter the optimizer holds outside the model."""

    def __init__(self) -> None:
        super().__init__()
        self.log_t = nn.Parameter(torch.tensor(0.3, dtype=torch.float64))

    def forward(
        self, logits: torch.Tensor, y: torch.Tensor, reduction: str = "mean"
    ) -> torch.Tensor:
        return F.cross_entropy(logits * self.log_t.exp(), y, ignore_index=PAD, reduction=reduction)


class WithBuffer(nn.Module):
    """An MLP with a module buffer: DDP broadcasts buffers in the forward (a collective)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = mlp()
        self.register_buffer("shift", torch.full((6,), 0.1, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x + self.shift)


def ranks_scenarios() -> list[tuple[str, str, str, tuple[int, int]]]:
    """(name, loop, mode, counts): every run the 2-rank test makes, with its reference."""
    out = []
    for counts in OWN_COUNTS:
        for mode in ("mean", "items"):
            out.append((f"own_{mode}_{counts[0]}_{counts[1]}", "own", mode, counts))
    for counts in ITER_COUNTS:
        for mode in ("mean", "items", "mean_over"):
            out.append((f"iterate_{mode}_{counts[0]}_{counts[1]}", "iterate", mode, counts))
    out.append(("own_mean_over_8_7", "own", "mean_over", (8, 7)))
    out.append(("temperature_iterate_11_5", "iterate", "temperature", (11, 5)))
    out.append(("temperature_own_7_6", "own", "temperature", (7, 6)))
    out.append(("buffers_iterate_11_5", "iterate", "buffers", (11, 5)))
    return out


def make_run(mode: str) -> tuple[nn.Module, nn.Module | None, Any]:
    """Model, criterion (or None) and the loss function of a scenario's mode, in float64."""
    if mode == "buffers":
        return WithBuffer(), None, None
    if mode == "temperature":
        return TokenModel(), Tempered(), None
    if mode == "mean":
        return mlp(), None, None
    return TokenModel(), None, None


def run_scenario(
    rank: int, world: int, loop: str, mode: str, counts: tuple[int, int], calls: list[int]
) -> dict[str, Any]:
    """Train one scenario on this rank; returns parameters, counters and all-reduce counts."""
    from torch.nn.parallel import DistributedDataParallel as DDP

    from stepguard.accumulation import count_tokens

    kind = "mean" if mode in ("mean", "buffers") else "tokens"
    data = rank_data(kind, counts[rank], rank)
    net, crit, _ = make_run(mode)
    model = DDP(net)
    params = list(model.parameters()) + (list(crit.parameters()) if crit is not None else [])
    opt = torch.optim.AdamW(params, lr=0.05, weight_decay=0.1)
    kw: dict[str, Any] = {"steps": K_RANKS, "clip_grad_norm": 5.0}
    if mode == "mean_over":
        kw["mean_over"] = count_tokens(1)
    if mode in ("items", "temperature") and loop == "iterate":
        kw["items"] = count_tokens(1)
    acc = Accumulator(model, opt, **kw)

    def loss_of(b: Batch) -> torch.Tensor:
        if kind == "mean":
            return F.cross_entropy(model(b[0]), b[1])
        if crit is not None:
            return crit(model(b[0]).flatten(0, 1), b[1].flatten(), "sum")
        return token_loss(model, b, "mean" if mode == "mean_over" else "sum")

    before = len(calls)
    if loop == "iterate":
        for b in acc.iterate(data):
            acc.backward(loss_of(b))
    else:
        for b in data:
            with acc.micro_batch(b):
                if mode in ("items", "temperature"):
                    acc.backward(loss_of(b), items=count_tokens(1)(b))
                else:
                    acc.backward(loss_of(b))
        acc.flush()
    return {
        "params": [p.detach().clone() for p in params],
        "steps": acc.optimizer_steps,
        "micro": acc.micro_steps,
        "allreduce": len(calls) - before,
    }


def ranks_reference(loop: str, mode: str, counts: tuple[int, int]) -> list[torch.Tensor]:
    """One process, one big batch per window over the union of what the ranks' windows held."""
    kind = "mean" if mode in ("mean", "buffers") else "tokens"
    shards = [windows(rank_data(kind, n, r), K_RANKS) for r, n in enumerate(counts)]
    net, crit, _ = make_run(mode)
    params = list(net.parameters()) + (list(crit.parameters()) if crit is not None else [])
    opt = torch.optim.AdamW(params, lr=0.05, weight_decay=0.1)
    for j in range(max(len(s) for s in shards)):
        union = [b for s in shards if j < len(s) for b in s[j]]
        x, y = concat(union) if kind == "mean" else concat(_pad(union))
        if kind == "mean":
            loss = F.cross_entropy(net(x), y)
        elif crit is not None:
            loss = crit(net(x).flatten(0, 1), y.flatten(), "mean")
        else:
            loss = token_loss(net, (x, y), "mean")
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return [p.detach().clone() for p in params]


def _pad(batches: list[Batch]) -> list[Batch]:
    return batches  # all sequences share max_len, so the batches concatenate as they are


def _ranks_part(rank: int, world: int) -> dict[str, Any]:
    """Every scenario of `ranks_scenarios`, plus FSDP's uneven-input errors."""
    import torch.distributed as dist

    calls: list[int] = []
    real = dist.all_reduce

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    dist.all_reduce = counting  # type: ignore[assignment]
    result: dict[str, Any] = {}
    try:
        for name, loop, mode, counts in ranks_scenarios():
            result[name] = run_scenario(rank, world, loop, mode, counts, calls)
        result["fsdp"] = _fsdp_uneven(rank)
    finally:
        dist.all_reduce = real  # type: ignore[assignment]
    return result


def _fsdp_uneven(rank: int) -> dict[str, str]:
    """FSDP2 cannot combine a window without every rank: a clear error on both ranks."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    out = {}
    mesh = init_device_mesh("cpu", (2,))
    for loop in ("iterate", "own"):
        model = mlp()
        fully_shard(model, mesh=mesh)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        acc = Accumulator(model, opt, steps=K_RANKS)
        data = rank_data("mean", (9, 4)[rank] if loop == "iterate" else (8, 7)[rank], rank)
        try:
            if loop == "iterate":
                for x, y in acc.iterate(data):
                    acc.backward(F.cross_entropy(model(x), y))
            else:
                for x, y in data:
                    with acc.micro_batch():
                        acc.backward(F.cross_entropy(model(x), y))
                acc.flush()
            out[loop] = f"no error after {acc.optimizer_steps} steps"
        except RuntimeError as exc:
            out[loop] = f"{acc.optimizer_steps} steps; {exc}"
    return out


def run_ranks(fn: Callable[..., None], out: Path, world: int = 2, timeout: float = 300) -> None:
    """Spawn `world` local gloo processes running `fn(rank, world, store, out)`; a rendezvous file
    in `out` (unique per test); processes still running after `timeout` s are killed."""
    import torch.multiprocessing as mp

    ctx = mp.spawn(fn, args=(world, str(out / "store"), str(out)), nprocs=world, join=False)
    import time

    deadline = time.monotonic() + timeout
    while not ctx.join(timeout=max(0.1, deadline - time.monotonic())):
        if time.monotonic() >= deadline:
            for p in ctx.processes:
                if p.is_alive():
                    p.kill()
            raise TimeoutError(f"{fn.__name__}: ranks still running after {timeout:g} s (a hang)")
