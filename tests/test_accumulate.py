"""Exactness of `Accumulator`: k micro-batches make the same steps as one big batch (float64)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from accumulate_workers import (
    TokenModel,
    big_batch_step,
    concat,
    count_tokens,
    max_diff,
    micro_batches,
    mlp,
    sequences,
    token_loss,
    warmup_cosine,
    windows,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from stepguard.accumulation import Accumulator, optimizer_steps

K = 4
STEPS = 50
TOL = 1e-12

OptFactory = Callable[[Any], torch.optim.Optimizer]

CONFIGS: dict[str, tuple[OptFactory, float | None, bool]] = {
    "sgd": (lambda ps: torch.optim.SGD(ps, lr=0.1), None, False),
    "sgd_momentum_wd": (
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-2),
        None,
        False,
    ),
    "adamw_clip_warmup_cosine": (
        lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.1),
        0.3,
        True,
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_accumulated_training_matches_big_batch_for_50_steps(name: str) -> None:
    make_opt, clip, use_sched = CONFIGS[name]
    data = micro_batches(K * STEPS)
    ref, model = mlp(), mlp()
    ref_opt, opt = make_opt(ref.parameters()), make_opt(model.parameters())
    ref_sched = warmup_cosine(ref_opt, STEPS) if use_sched else None
    sched = warmup_cosine(opt, STEPS) if use_sched else None

    for window in windows(data, K):
        x, y = concat(window)
        big_batch_step(ref, ref_opt, F.cross_entropy(ref(x), y), clip, ref_sched)

    acc = Accumulator(model, opt, steps=K, scheduler=sched, clip_grad_norm=clip)
    clipped = 0
    for x, y in acc.iterate(data):
        if acc.backward(F.cross_entropy(model(x), y)):
            clipped += acc.clipped

    diff = max_diff(ref, model)
    print(f"{name}: max |dtheta| after {STEPS} steps = {diff:.3e} (clipped {clipped} windows)")
    assert acc.optimizer_steps == STEPS and acc.micro_steps == K * STEPS
    assert diff <= TOL
    assert max_diff(ref, mlp()) > 1e-2  # the runs moved: the comparison is not vacuous
    if clip is not None:
        assert clipped > 10  # clipping really acted on the accumulated gradient
    if sched is not None:
        assert sched.last_epoch == STEPS  # once per optimizer step (SG202)
        assert opt.param_groups[0]["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"], abs=0)


def test_seed_style_loop_without_division_does_not_match_big_batch() -> None:
    # The contrast that shows the exactness test can fail: SG201 (no /k), same data.
    data = micro_batches(K * 10)
    ref, bug = mlp(), mlp()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    bug_opt = torch.optim.SGD(bug.parameters(), lr=0.1)
    for window in windows(data, K):
        x, y = concat(window)
        big_batch_step(ref, ref_opt, F.cross_entropy(ref(x), y))
        for xb, yb in window:
            F.cross_entropy(bug(xb), yb).backward()
        bug_opt.step()
        bug_opt.zero_grad()
    diff = max_diff(ref, bug)
    print(f"unscaled accumulation (SG201): max |dtheta| = {diff:.3e}")
    assert diff > 1e-2


@pytest.mark.parametrize("own_loop", [False, True], ids=["iterate", "own_loop_flush"])
def test_partial_last_window_is_scaled_by_its_real_size(own_loop: bool) -> None:
    data = micro_batches(10)  # windows of 4, 4 and 2 micro-batches
    ref, model = mlp(), mlp()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.2, momentum=0.9)
    opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    for window in windows(data, K):
        x, y = concat(window)
        big_batch_step(ref, ref_opt, F.cross_entropy(ref(x), y))
    acc = Accumulator(model, opt, steps=K)
    closed = []
    if own_loop:
        for x, y in data:
            closed.append(acc.backward(F.cross_entropy(model(x), y)))
        assert acc.window_position == 2
        assert acc.flush() is True
        assert acc.flush() is False
    else:
        for x, y in acc.iterate(data):
            closed.append(acc.backward(F.cross_entropy(model(x), y)))
    diff = max_diff(ref, model)
    print(f"partial window ({'own loop' if own_loop else 'iterate'}): max |dtheta| = {diff:.3e}")
    assert diff <= TOL
    assert acc.optimizer_steps == 3 == optimizer_steps(10, K)
    assert sum(closed) == (2 if own_loop else 3)


def test_drop_last_skips_the_partial_window_and_counts_it() -> None:
    data = micro_batches(10)
    ref, model = mlp(), mlp()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.2)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    for window in windows(data, K)[:2]:
        x, y = concat(window)
        big_batch_step(ref, ref_opt, F.cross_entropy(ref(x), y))
    acc = Accumulator(model, opt, steps=K, drop_last=True)
    for x, y in acc.iterate(data):
        acc.backward(F.cross_entropy(model(x), y))
    assert max_diff(ref, model) <= TOL
    assert acc.optimizer_steps == 2 == optimizer_steps(10, K, drop_last=True)
    assert acc.dropped_batches == 2 and acc.micro_steps == 8
    assert all(p.grad is None for p in model.parameters())


def test_optimizer_steps_sizes_the_schedule_in_optimizer_steps() -> None:
    assert optimizer_steps(10, 4) == 3
    assert optimizer_steps(10, 4, epochs=3) == 9
    assert optimizer_steps(10, 4, epochs=3, drop_last=True) == 6
    assert optimizer_steps(8, 4, epochs=2) == 4
    assert optimizer_steps(8, 1) == 8
    with pytest.raises(ValueError, match="accum_steps"):
        optimizer_steps(8, 0)


def _train_tokens(item_weighted: bool, data: list[Any], k: int) -> torch.nn.Module:
    model = TokenModel()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    if item_weighted:
        acc = Accumulator(model, opt, steps=k, items=count_tokens)
        for b in acc.iterate(data):
            acc.backward(token_loss(model, b, "sum"))
    else:  # the framework bug (SG207): mean of per-micro-batch token means, and it says so
        acc = Accumulator(model, opt, steps=k)
        with pytest.warns(UserWarning, match="SG207"):
            for b in acc.iterate(data):
                acc.backward(token_loss(model, b, "mean"))
    return model


def test_item_weighted_accumulation_matches_big_batch_on_variable_length_sequences() -> None:
    data = sequences(K * STEPS)
    counts = [count_tokens(b) for b in data[:K]]
    assert len(set(counts)) > 1  # the window really mixes token counts
    ref = TokenModel()
    ref_opt = torch.optim.AdamW(ref.parameters(), lr=1e-2, weight_decay=0.1)
    for window in windows(data, K):
        big_batch_step(ref, ref_opt, token_loss(ref, concat(window), "mean"))

    weighted = _train_tokens(True, data, K)
    naive = _train_tokens(False, data, K)
    exact, wrong = max_diff(ref, weighted), max_diff(ref, naive)
    print(f"variable length: item-weighted max |dtheta| = {exact:.3e}")
    print(f"variable length: mean of micro-batch token means (SG207) max |dtheta| = {wrong:.3e}")
    assert exact <= TOL
    assert wrong > 1e-3


def test_items_passed_to_backward_in_own_loop_match_big_batch() -> None:
    data = sequences(K * 5 + 3)
    ref, model = TokenModel(), TokenModel()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.5)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for window in windows(data, K):
        big_batch_step(ref, ref_opt, token_loss(ref, concat(window), "mean"))
    acc = Accumulator(model, opt, steps=K)
    for b in data:
        acc.backward(token_loss(model, b, "sum"), items=count_tokens(b))
    acc.flush()
    diff = max_diff(ref, model)
    print(f"own loop, items= per backward: max |dtheta| = {diff:.3e}")
    assert diff <= TOL and acc.optimizer_steps == 6


def test_breaking_out_of_iterate_then_flush_scales_by_the_batches_seen() -> None:
    data = micro_batches(7)
    ref, model = mlp(), mlp()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.2)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    for window in (data[:4], data[4:6]):
        x, y = concat(window)
        big_batch_step(ref, ref_opt, F.cross_entropy(ref(x), y))
    acc = Accumulator(model, opt, steps=K)
    for i, (x, y) in enumerate(acc.iterate(data)):
        acc.backward(F.cross_entropy(model(x), y))
        if i == 5:
            break
    acc.flush()
    assert max_diff(ref, model) <= TOL and acc.optimizer_steps == 2


def test_iterate_raises_when_a_batch_gets_no_backward() -> None:
    model = mlp()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with pytest.raises(RuntimeError, match=r"no acc\.backward"):
        for i, (x, y) in enumerate(acc.iterate(micro_batches(8))):
            if i != 1:
                acc.backward(F.cross_entropy(model(x), y))


def test_accumulator_with_steps_1_is_the_plain_loop() -> None:
    data = micro_batches(6)
    ref, model = mlp(), mlp()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.2)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    for x, y in data:
        big_batch_step(ref, ref_opt, F.cross_entropy(ref(x), y))
    acc = Accumulator(model, opt, steps=1)
    for x, y in acc.iterate(copy.deepcopy(data)):
        assert acc.backward(F.cross_entropy(model(x), y)) is True
    assert max_diff(ref, model) == 0.0


@settings(max_examples=15, deadline=None)
@given(
    k=st.integers(1, 5),
    lengths=st.lists(st.lists(st.integers(0, 6), min_size=2, max_size=2), min_size=1, max_size=11),
    own_loop=st.booleans(),
)
def test_item_weighted_windows_of_any_shape_match_the_big_batch(
    k: int, lengths: list[list[int]], own_loop: bool
) -> None:
    # Any k, any number of micro-batches (partial last window), any token counts (>= 1 each).
    g = torch.Generator().manual_seed(len(lengths) * 10 + k)
    data = []
    for pair in lengths:
        tokens = torch.randint(0, 11, (2, 7), generator=g)
        labels = torch.randint(0, 11, (2, 7), generator=g)
        for row, n in enumerate(pair):
            labels[row, max(n, 1 if row == 0 else 0) :] = -100
        data.append((tokens, labels))
    ref, model = TokenModel(), TokenModel()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.5, momentum=0.5)
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.5)
    for window in windows(data, k):
        big_batch_step(ref, ref_opt, token_loss(ref, concat(window), "mean"))
    if own_loop:
        acc = Accumulator(model, opt, steps=k)
        for b in data:
            acc.backward(token_loss(model, b, "sum"), items=count_tokens(b))
        acc.flush()
    else:
        acc = Accumulator(model, opt, steps=k, items=count_tokens)
        for b in acc.iterate(data):
            acc.backward(token_loss(model, b, "sum"))
    assert acc.optimizer_steps == optimizer_steps(len(data), k)
    assert max_diff(ref, model) <= TOL
