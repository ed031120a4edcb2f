"""`Accumulator` under DDP and FSDP2: 2 CPU processes (gloo) against single-process big batches.

One spawn of 2 processes runs every multi-rank case (`accumulate_workers.ddp_worker`), with a
rendezvous file in a fresh temporary directory, a 60 s collective timeout and a kill after 300 s.
Besides the equal-shard runs it trains every scenario of `ranks_scenarios` (own loops with 6/5, 8/7,
10/9, 7/7 and 11/5 micro-batches, `iterate` with different window sizes and different numbers of
windows, mean, `items=` and `mean_over=` modes, a parameter outside the model, a model with
DDP-broadcast buffers), each compared with a single-process big batch over the union of what each
window held.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from accumulate_workers import (
    TokenModel,
    big_batch_step,
    concat,
    ddp_worker,
    micro_batches,
    mlp,
    ranks_reference,
    ranks_scenarios,
    run_ranks,
    sequences,
    token_loss,
    windows,
)

WORLD, K = 2, 4
TOL = 1e-12


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
    run_ranks(ddp_worker, out, WORLD)
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


SCENARIOS = ranks_scenarios()


def _diff(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max(float((p - q).abs().max()) for p, q in zip(a, b, strict=True))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "loop", "mode", "counts"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_ranks_stay_identical_and_equal_the_big_batch_over_each_windows_union(
    ranks: list[dict[str, Any]], name: str, loop: str, mode: str, counts: tuple[int, int]
) -> None:
    r0, r1 = ranks[0]["ranks"][name], ranks[1]["ranks"][name]
    ref = ranks_reference(loop, mode, counts)
    between, to_ref = _diff(r0["params"], r1["params"]), _diff(r0["params"], ref)
    print(f"{name}: ranks differ by {between:.1e}, big batch by {to_ref:.1e}")
    assert between == 0.0  # the replicas are bit-identical
    assert to_ref <= TOL
    windows = -(-max(counts) // 4)
    assert r0["steps"] == r1["steps"] == windows
    assert (r0["micro"], r1["micro"]) == counts


@pytest.mark.slow
def test_one_small_all_reduce_per_window_besides_the_gradients(ranks: list[dict[str, Any]]) -> None:
    # iterate: one agreement per window plus one at the start; DDP's gradient buckets go through
    # its reducer, not through dist.all_reduce. Own loop: the agreement + one gradient bucket.
    for r in (x["ranks"] for x in ranks):
        assert r["iterate_mean_8_7"]["allreduce"] == 2 + 1
        assert r["iterate_items_6_5"]["allreduce"] == 2 + 1
        assert r["own_mean_8_7"]["allreduce"] == 2 * 2 + 1  # + the closing flush round
        assert r["own_items_7_7"]["allreduce"] == 2 * 2


@pytest.mark.slow
def test_fsdp_uneven_inputs_raise_on_every_rank_before_anything_is_applied(
    ranks: list[dict[str, Any]],
) -> None:
    for r in (x["ranks"] for x in ranks):
        print(r["fsdp"])
        assert r["fsdp"]["iterate"].startswith("1 steps; ")  # window 1 ran; window 3 never
        assert "no batches left" in r["fsdp"]["iterate"]
        assert r["fsdp"]["own"].startswith("1 steps; ")
        assert "uneven own loops" in r["fsdp"]["own"]
