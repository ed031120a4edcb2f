"""Ragged real data on one process: unequal micro-batch sizes, token means with padding, parameters
outside the model, and bad input that must fail before anything is applied (float64, 1e-12)."""

from __future__ import annotations

import copy
import io
import math
import warnings
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from accumulate_workers import (
    PAD,
    Tempered,
    TokenModel,
    big_batch_step,
    concat,
    count_tokens,
    max_diff,
    micro_batches,
    mlp,
    sequences,
    token_loss,
    windows,
)
from torch import nn

from stepguard.accumulation import Accumulator, check_accumulation
from stepguard.accumulation import count_tokens as tokens_of

K = 4
TOL = 1e-12


def _ragged(n_rows: int = 19, batch: int = 8, epochs: int = 1) -> list[tuple[torch.Tensor, ...]]:
    """What DataLoader(batch_size=8) yields over 19 samples: micro-batches of 8, 8 and 3 rows."""
    x, y = concat(micro_batches(n_rows, size=1, seed=5))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch)
    return [tuple(b) for _ in range(epochs) for b in loader]


def _big_batch_run(data: list[Any], k: int, clip: float | None = None) -> nn.Module:
    ref = mlp()
    opt = torch.optim.AdamW(ref.parameters(), lr=0.05, weight_decay=0.1)
    for window in windows(data, k):
        x, y = concat(window)
        big_batch_step(ref, opt, F.cross_entropy(ref(x), y), clip)
    return ref


# ------------------------------------------------------------------- mean mode, unequal sizes
def test_mean_mode_warns_once_with_the_sizes_the_effect_and_the_fix() -> None:
    data = _ragged(epochs=2)  # two epochs of windows [8, 8, 3]
    model = mlp()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with pytest.warns(UserWarning) as caught:
        for _ in range(2):
            for x, y in acc.iterate(data[:3]):
                acc.backward(F.cross_entropy(model(x), y))
    messages = [str(w.message) for w in caught if "SG207" in str(w.message)]
    print(messages[0])
    assert len(messages) == 1  # once per Accumulator, not once per window
    assert "[8, 8, 3]" in messages[0]
    assert "2.11x" in messages[0] and "0.79x" in messages[0]  # 19 / (3 * 3), 19 / (3 * 8)
    assert "mean_over='rows'" in messages[0]
    assert caught[0].filename == __file__  # points at the user's loop


def test_mean_mode_is_silent_when_micro_batches_have_equal_sizes() -> None:
    model = mlp()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x, y in acc.iterate(micro_batches(10)):  # windows 4, 4, 2: partial but equal sizes
            acc.backward(F.cross_entropy(model(x), y))


@pytest.mark.parametrize("own_loop", [False, True], ids=["iterate", "own_loop"])
def test_mean_over_rows_matches_the_big_batch_on_a_ragged_last_window(own_loop: bool) -> None:
    data = _ragged(n_rows=8 * 9 + 3)  # 9 full micro-batches and one of 3: windows 4, 4, 2
    ref = _big_batch_run(data, K, clip=1.0)
    models = {}
    for mode in ("mean", "rows"):
        model = mlp()
        opt = torch.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.1)
        kw: dict[str, Any] = {"mean_over": "rows"} if mode == "rows" else {}
        acc = Accumulator(model, opt, steps=K, clip_grad_norm=1.0, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if own_loop:
                for x, y in data:
                    with acc.micro_batch((x, y)):
                        acc.backward(F.cross_entropy(model(x), y))
                acc.flush()
            else:
                for x, y in acc.iterate(data):
                    acc.backward(F.cross_entropy(model(x), y))
        assert acc.optimizer_steps == 3
        models[mode] = model
    exact, wrong = max_diff(ref, models["rows"]), max_diff(ref, models["mean"])
    print(f"ragged last window: mean_over='rows' {exact:.1e}, mean mode {wrong:.1e}")
    assert exact <= TOL
    assert wrong > 1e-3  # the default mode really is inexact here: the test can fail


def test_own_loop_mean_mode_warns_when_it_sees_the_batches() -> None:
    model = mlp()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with pytest.warns(UserWarning, match=r"SG207.*\[8, 8, 3\]"):
        for x, y in _ragged():
            with acc.micro_batch((x, y)):
                acc.backward(F.cross_entropy(model(x), y))
        acc.flush()


def test_mean_over_count_tokens_keeps_the_mean_loss_and_matches_the_big_batch() -> None:
    data = sequences(K * 6 + 2)
    ref = TokenModel()
    ref_opt = torch.optim.AdamW(ref.parameters(), lr=1e-2, weight_decay=0.1)
    for window in windows(data, K):
        big_batch_step(ref, ref_opt, token_loss(ref, concat(window), "mean"))
    model = TokenModel()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    acc = Accumulator(model, opt, steps=K, mean_over=tokens_of(1))  # labels at batch[1]
    for b in acc.iterate(data):
        acc.backward(token_loss(model, b, "mean"))  # the mean loss, as users write it
    diff = max_diff(ref, model)
    print(f"token mean with padding, mean_over=count_tokens(1): {diff:.1e}")
    assert diff <= TOL and acc.optimizer_steps == 7


@pytest.mark.slow  # imports transformers
def test_hugging_face_causal_lm_loss_with_count_tokens_shift_1_matches_the_big_batch() -> None:
    transformers = pytest.importorskip("transformers")
    config = transformers.GPT2Config(
        vocab_size=37, n_positions=16, n_embd=16, n_layer=1, n_head=2, resid_pdrop=0.0,
        embd_pdrop=0.0, attn_pdrop=0.0,
    )  # fmt: skip
    torch.manual_seed(0)
    base = transformers.GPT2LMHeadModel(config).double()
    g = torch.Generator().manual_seed(1)
    data = []
    for i in range(K * 2 + 1):
        ids = torch.randint(0, 37, (2, 12), generator=g)
        labels = ids.clone()
        labels[:, (3 if i % 2 else 11) :] = PAD  # padding, very unequal per micro-batch
        data.append({"input_ids": ids, "labels": labels})
    ref = copy.deepcopy(base)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.5)
    for window in windows(data, K):
        big = {k: torch.cat([b[k] for b in window]) for k in ("input_ids", "labels")}
        big_batch_step(ref, ref_opt, ref(**big).loss)
    results = {}
    for shift in (0, 1):
        model = copy.deepcopy(base)
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        acc = Accumulator(model, opt, steps=K, mean_over=tokens_of("labels", shift=shift))
        for b in acc.iterate(data):
            acc.backward(model(**b).loss)
        results[shift] = max_diff(ref, model)
    print(f"GPT-2 loss, mean_over=count_tokens('labels', shift=s): {results}")
    # GPT-2's loss casts the logits to float32 (`logits.float()`), so equality is to float32
    # rounding here; the float64 models above show the weighting itself is exact to 1e-12.
    assert results[1] <= 1e-7  # the model predicts labels[:, 1:]
    assert results[0] > 1e-3  # counting the unpredicted first position is off


# ------------------------------------------------------------- every parameter the optimizer holds
def _tempered_run(mode: str, data: list[Any]) -> list[torch.Tensor]:
    model, crit = TokenModel(), Tempered()
    params = [*model.parameters(), *crit.parameters()]
    opt = torch.optim.SGD(params, lr=0.5, momentum=0.5)

    def loss(b: Any, reduction: str) -> torch.Tensor:
        return crit(model(b[0]).flatten(0, 1), b[1].flatten(), reduction)

    if mode == "reference":
        for window in windows(data, K):
            loss(concat(window), "mean").backward()
            nn.utils.clip_grad_norm_(params, 0.5)
            opt.step()
            opt.zero_grad()
        return [p.detach().clone() for p in params]
    if mode == "iterate_items":
        acc = Accumulator(model, opt, steps=K, items=count_tokens, clip_grad_norm=0.5)
        for b in acc.iterate(data):
            acc.backward(loss(b, "sum"))
    elif mode == "own_items":
        acc = Accumulator(model, opt, steps=K, clip_grad_norm=0.5)
        for b in data:
            acc.backward(loss(b, "sum"), items=count_tokens(b))
        acc.flush()
    else:  # own loop, mean_over tokens, partial window
        acc = Accumulator(model, opt, steps=K, mean_over=count_tokens, clip_grad_norm=0.5)
        for b in data:
            with acc.micro_batch(b):
                acc.backward(loss(b, "mean"))
        acc.flush()
    assert acc.optimizer_steps == math.ceil(len(data) / K)
    return [p.detach().clone() for p in params]


@pytest.mark.parametrize("mode", ["iterate_items", "own_items", "own_mean_over"])
def test_a_learnable_temperature_in_the_criterion_is_scaled_and_clipped(mode: str) -> None:
    data = sequences(K * 3 + 2)  # a partial last window of 2
    ref = _tempered_run("reference", data)
    got = _tempered_run(mode, data)
    diffs = [float((a - b).abs().max()) for a, b in zip(ref, got, strict=True)]
    print(f"{mode}: temperature {diffs[-1]:.1e}, model {max(diffs[:-1]):.1e}")
    assert max(diffs) <= TOL
    assert abs(float(ref[-1]) - 0.3) > 1e-2  # the temperature really trained


def test_an_optimizer_over_another_model_is_an_error_at_construction() -> None:
    model, other = mlp(), mlp()
    with pytest.raises(ValueError, match="holds none of the model's parameters"):
        Accumulator(model, torch.optim.SGD(other.parameters(), lr=0.1), steps=K)


# ------------------------------------------------------------------------------ item counts
def test_a_micro_batch_with_no_items_weighs_zero_and_an_empty_window_is_an_error() -> None:
    data = sequences(K * 2)
    data[1] = (data[1][0], torch.full_like(data[1][1], PAD))  # all padding
    ref = TokenModel()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.5)
    for window in windows(data, K):
        big_batch_step(ref, ref_opt, token_loss(ref, concat(window), "mean"))
    model = TokenModel()
    acc = Accumulator(
        model, torch.optim.SGD(model.parameters(), lr=0.5), steps=K, items=count_tokens
    )
    for b in acc.iterate(data):
        acc.backward(token_loss(model, b, "sum"))
    assert max_diff(ref, model) <= TOL
    empty = [(b[0], torch.full_like(b[1], PAD)) for b in data[:K]]
    with pytest.raises(ValueError, match="hold no items"):
        for b in acc.iterate(empty):
            acc.backward(token_loss(model, b, "sum"))
    assert all(p.grad is None for p in model.parameters()) and acc.micro_steps == 2 * K


def test_count_tokens_reads_dicts_tuples_and_masks() -> None:
    batch = {"labels": torch.tensor([[1, 2, -100], [3, -100, -100]]), "attention_mask": None}
    assert tokens_of()(batch) == 3
    assert tokens_of(shift=1)(batch) == 1
    assert tokens_of("attention_mask", ignore_index=0)({"attention_mask": torch.ones(2, 5)}) == 10
    assert tokens_of(1)((None, torch.tensor([5, -100]))) == 1
    with pytest.raises(ValueError, match="has no 'label'"):
        tokens_of("label")(batch)


# ------------------------------------------------------- bad input fails before anything changes
def _state(model: nn.Module, opt: torch.optim.Optimizer, acc: Accumulator) -> bytes:
    buf = io.BytesIO()
    grads = [p.grad for p in model.parameters()]
    torch.save([model.state_dict(), opt.state_dict(), acc.state_dict(), grads], buf)
    return buf.getvalue()


def _half_window() -> tuple[nn.Module, torch.optim.Optimizer, Accumulator]:
    model = mlp()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    acc = Accumulator(model, opt, steps=K)
    for x, y in micro_batches(K + 2):
        acc.backward(F.cross_entropy(model(x), y))
    return model, opt, acc


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda a, m: a.backward(_sum_loss(m), items=float("nan")), ValueError, r"items = nan"),
        (lambda a, m: a.backward(_sum_loss(m), items=float("inf")), ValueError, r"items = inf"),
        (lambda a, m: a.backward(_sum_loss(m), items="3"), TypeError, r"items must be an integer"),
        (lambda a, m: a.load_state_dict(None), TypeError, r"state must be the dict"),
        (lambda a, m: a.load_state_dict(m.state_dict()), ValueError, r"state lacks"),
        (lambda a, m: a.iterate(None), TypeError, r"loader must be an iterable.*got None"),
        (lambda a, m: a.iterate(5), TypeError, r"loader must be an iterable.*got int 5"),
        (lambda a, m: a.iterate({"x": 1}), TypeError, r"not one batch"),
    ],
    ids=["items_nan", "items_inf", "items_str", "state_none", "state_model", "iterate_none",
         "iterate_int", "iterate_dict"],
)  # fmt: skip
def test_bad_input_names_the_argument_and_changes_nothing(
    call: Any, error: type, match: str
) -> None:
    model, opt, acc = _half_window()
    before = _state(model, opt, acc)
    with pytest.raises(error, match=match):
        call(acc, model)
    assert _state(model, opt, acc) == before


def _sum_loss(model: nn.Module) -> torch.Tensor:
    x, y = micro_batches(1, seed=9)[0]
    return F.cross_entropy(model(x), y, reduction="sum")


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"clip_grad_norm": "1.0"}, TypeError, r"clip_grad_norm must be a number, got '1.0'"),
        ({"clip_grad_norm": float("nan")}, ValueError, r"clip_grad_norm must be > 0"),
        ({"norm_type": 0}, ValueError, r"norm_type must be > 0"),
        ({"drop_last": "yes"}, TypeError, r"drop_last must be True or False"),
        ({"items": 3}, TypeError, r"items must be 'rows' or a function"),
        ({"items": "rows", "mean_over": "rows"}, ValueError, r"not both"),
    ],
)
def test_bad_configuration_names_the_argument_and_the_fix(
    kw: dict[str, Any], error: type, match: str
) -> None:
    model = mlp()
    with pytest.raises(error, match=match):
        Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K, **kw)


# ------------------------------------------------------------------------ check_accumulation
def test_check_accumulation_names_sg207_for_token_means_without_items() -> None:
    batch = concat(sequences(4, per_micro=2))
    result = check_accumulation(TokenModel(), token_loss, batch, steps=4)  # no items=
    print(result)
    assert result.report().codes == ["SG207"]
    cause = result.causes[0]
    assert "tokens of 1 != -100" in cause.message and "count_tokens(1)" in cause.message
    assert cause.deviation_without <= 1e-13
    assert len(set(result.micro_batch_items)) > 1


def test_check_accumulation_names_sg207_for_rows_of_a_ragged_window() -> None:
    x, y = concat(_ragged())  # 19 rows split into 5, 5, 5, 4
    model = mlp()
    result = check_accumulation(model, lambda m, b: F.cross_entropy(m(b[0]), b[1]), (x, y), steps=4)
    assert result.report().codes == ["SG207"]
    assert "mean_over='rows'" in result.causes[0].message
    assert result.micro_batch_items == [5, 5, 5, 4]


def test_mean_mode_warns_about_unequal_target_tokens_in_padded_labels() -> None:
    model = TokenModel()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with pytest.warns(UserWarning, match=r"SG207.*target tokens.*count_tokens\('labels'\)"):
        for b in acc.iterate(sequences(K * 2)):
            acc.backward(token_loss(model, b, "mean"))
    acc2 = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # mean_over weighs tokens: nothing to warn about
        acc2 = Accumulator(
            model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K, mean_over=tokens_of(1)
        )
        for b in acc2.iterate(sequences(K * 2)):
            acc2.backward(token_loss(model, b, "mean"))


# ---------------------------------------------------------------- non-finite, with clipping on
@pytest.mark.parametrize("where", ["loss", "gradient"])
def test_with_clipping_a_non_finite_loss_or_gradient_applies_nothing(where: str) -> None:
    data = micro_batches(K * 2)
    model = mlp()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    acc = Accumulator(model, opt, steps=K, clip_grad_norm=1.0)
    for x, y in acc.iterate(data[:K]):  # one good window: AdamW has state
        acc.backward(F.cross_entropy(model(x), y))
    before = copy.deepcopy((model.state_dict(), opt.state_dict()["state"]))
    bad = list(data[K:])
    if where == "loss":
        x, y = bad[2]
        bad[2] = (torch.where(torch.arange(6) == 0, float("nan"), x), y)
    else:  # a finite loss whose gradient overflows: clipping would spread nan into every weight
        model[0].weight.register_hook(lambda g: g * float("inf"))
    match = (
        r"non-finite loss .* micro-batch\(es\) \[2\]" if where == "loss" else "non-finite gradient"
    )
    with pytest.raises(FloatingPointError, match=match):
        for x, y in acc.iterate(bad):
            acc.backward(F.cross_entropy(model(x), y))
    after = (model.state_dict(), opt.state_dict()["state"])
    assert all(torch.equal(before[0][k], after[0][k]) for k in before[0])
    assert all(torch.equal(before[1][i]["exp_avg"], after[1][i]["exp_avg"]) for i in before[1])
    assert all(p.grad is None for p in model.parameters())
    assert (acc.optimizer_steps, acc.skipped_steps) == (1, 1)


def test_iterate_with_items_passed_to_backward_matches_the_big_batch() -> None:
    # items= per call inside iterate() (mean configuration): the sums are scaled at the end.
    data = sequences(K * 2 + 1)
    ref, model = TokenModel(), TokenModel()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.5)
    for window in windows(data, K):
        big_batch_step(ref, ref_opt, token_loss(ref, concat(window), "mean"))
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.5), steps=K)
    for b in acc.iterate(data):
        acc.backward(token_loss(model, b, "sum"), items=count_tokens(b))
    assert max_diff(ref, model) <= TOL and acc.optimizer_steps == 3


def test_no_warning_when_backward_gets_the_items() -> None:
    # Unequal token counts, but each backward says how many: exact, so nothing to warn about.
    model = TokenModel()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for b in acc.iterate(sequences(K * 2)):
            acc.backward(token_loss(model, b, "sum"), items=count_tokens(b))
