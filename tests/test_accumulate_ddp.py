"""`Accumulator` under DDP and FSDP2: 2 CPU processes (gloo) against single-process big batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import torch.multiprocessing as mp
import torch.nn.functional as F
from accumulate_workers import (
    TokenModel,
    big_batch_step,
    concat,
    ddp_worker,
    micro_batches,
    mlp,
    sequences,
    token_loss,
    windows,
)

WORLD, K = 2, 4
TOL = 1e-10


def _global_windows(data: list[Any], k: int) -> list[list[Any]]:
    """Window j of the big-batch run = window j of every rank's shard (data[rank::WORLD])."""
    shards = [windows(data[r::WORLD], k) for r in range(WORLD)]
    return [[b for shard in shards for b in shard[j]] for j in range(len(shards[0]))]


def _max_diff(params: list[torch.Tensor], model: torch.nn.Module) -> float:
    return max(
        float((p - q.detach()).abs().max()) for p, q in zip(params, model.parameters(), strict=True)
    )


@pytest.fixture(scope="module")
def ranks(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("ddp")
    mp.spawn(ddp_worker, args=(WORLD, str(out / "store"), str(out)), nprocs=WORLD, join=True)
    return [torch.load(Path(out) / f"rank{r}.pt") for r in range(WORLD)]


@pytest.mark.slow
def test_ddp_accumulation_matches_single_process_big_batch(ranks: list[dict[str, Any]]) -> None:
    ref = mlp()
    opt = torch.optim.AdamW(ref.parameters(), lr=1e-2, weight_decay=0.1)
    data = micro_batches(WORLD * (K * 5 + 2), size=4, seed=7)
    for window in _global_windows(data, K):  # 5 full windows and a partial one of 2
        x, y = concat(window)
        big_batch_step(ref, opt, F.cross_entropy(ref(x), y), clip=0.5)
    diffs = [_max_diff(r["acc_params"], ref) for r in ranks]
    print(f"DDP mean mode vs big batch: max |dtheta| per rank = {diffs}")
    assert max(diffs) <= TOL
    assert ranks[0]["acc_steps"] == 6


@pytest.mark.slow
def test_ddp_all_reduces_once_per_window_not_per_micro_batch(ranks: list[dict[str, Any]]) -> None:
    calls = [(r["acc_allreduce_calls"], r["naive_allreduce_calls"]) for r in ranks]
    print(f"gradient all-reduces (Accumulator, naive loop) per rank: {calls}")
    assert all(acc == 6 for acc, _ in calls)  # 6 windows
    assert all(naive == K * 5 + 2 for _, naive in calls)  # 22 micro-batches (SG208)


@pytest.mark.slow
def test_ddp_item_weighted_accumulation_with_unequal_token_counts_matches_big_batch(
    ranks: list[dict[str, Any]],
) -> None:
    assert ranks[0]["tokens_local"] != ranks[1]["tokens_local"]
    ref = TokenModel()
    opt = torch.optim.AdamW(ref.parameters(), lr=1e-2, weight_decay=0.1)
    for window in _global_windows(sequences(WORLD * K * 3, seed=11), K):
        big_batch_step(ref, opt, token_loss(ref, concat(window), "mean"))
    diffs = [_max_diff(r["tokens_params"], ref) for r in ranks]
    print(
        f"DDP item-weighted vs big batch (tokens per rank {[r['tokens_local'] for r in ranks]}): {diffs}"
    )
    assert max(diffs) <= TOL


@pytest.mark.slow
def test_ddp_own_loop_partial_window_is_synced_by_flush(ranks: list[dict[str, Any]]) -> None:
    ref = mlp()
    opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    data = micro_batches(WORLD * (K * 5 + 2), size=4, seed=7)
    shards = [data[r::WORLD][: K + 2] for r in range(WORLD)]
    for lo, hi in ((0, K), (K, K + 2)):
        x, y = concat([b for s in shards for b in s[lo:hi]])
        big_batch_step(ref, opt, F.cross_entropy(ref(x), y))
    diffs = [_max_diff(r["own_params"], ref) for r in ranks]
    print(f"DDP own loop + flush vs big batch: {diffs}")
    assert max(diffs) <= TOL


@pytest.mark.slow
def test_fsdp2_accumulation_matches_single_process_big_batch(ranks: list[dict[str, Any]]) -> None:
    ref = mlp()
    opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    data = micro_batches(WORLD * (K * 3 + 1), size=4, seed=7)
    for window in _global_windows(data, K):
        x, y = concat(window)
        big_batch_step(ref, opt, F.cross_entropy(ref(x), y))
    diffs = [_max_diff(r["fsdp_params"], ref) for r in ranks]
    print(f"FSDP2 vs big batch: {diffs}")
    assert max(diffs) <= TOL and ranks[0]["fsdp_steps"] == 4


@pytest.mark.slow
def test_passing_the_unwrapped_module_under_ddp_warns(ranks: list[dict[str, Any]]) -> None:
    for r in ranks:
        assert len(r["unwrapped_warning"]) == 1
        assert "not DDP/FSDP-wrapped" in r["unwrapped_warning"][0]
        assert r["wrapped_warnings"] == []  # the DDP-wrapped model: no warning
