"""`check_accumulation` measures accumulated vs big-batch gradients and names why they differ."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from accumulate_workers import TokenModel, concat, count_tokens, sequences, token_loss
from torch import nn

from stepguard.accumulation import check_accumulation


def _batch(n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, 6, generator=g, dtype=torch.float64), torch.randint(
        0, 3, (n,), generator=g
    )


def _ce(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    return F.cross_entropy(model(batch[0]), batch[1])


def _model(*middle: nn.Module) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), *middle, nn.Tanh(), nn.Linear(16, 3)).double()


def test_plain_model_accumulates_exactly_and_names_no_cause() -> None:
    result = check_accumulation(_model(), _ce, _batch(), steps=4)
    print(result)
    assert result.exact and result.causes == []
    assert result.max_relative_deviation <= 1e-13
    assert result.micro_batch_items == [4, 4, 4, 4]
    assert len(result.report()) == 0


def test_batchnorm_in_train_mode_is_named_and_confirmed() -> None:
    result = check_accumulation(_model(nn.BatchNorm1d(16)), _ce, _batch(), steps=4)
    print(result)
    assert not result.exact and result.max_relative_deviation > 1e-2
    assert [c.name for c in result.causes] == ["batchnorm-train"]
    assert "1" in result.causes[0].message  # names the module ("1" in the Sequential)
    assert result.causes[0].deviation_without <= 1e-13
    assert result.report().codes == ["SG209"]


def test_batchnorm_in_eval_mode_is_not_a_cause() -> None:
    model = _model(nn.BatchNorm1d(16)).eval()
    result = check_accumulation(model, _ce, _batch(), steps=4)
    assert result.exact and result.causes == []


def test_dropout_rng_is_named_and_confirmed() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(6, 16),
        nn.Dropout(0.3),
        nn.Tanh(),
        nn.Linear(16, 16),
        nn.Dropout(0.3),
        nn.Linear(16, 3),
    ).double()
    result = check_accumulation(model, _ce, _batch(), steps=4)
    print(result)
    assert not result.exact and result.max_relative_deviation > 1e-2
    assert [c.name for c in result.causes] == ["dropout-rng"]
    assert result.causes[0].code is None and "dropout (1, 4)" in result.causes[0].message
    assert result.causes[0].deviation_without <= 1e-13


def test_a_single_dropout_layer_draws_the_same_masks_in_micro_batches_on_cpu() -> None:
    # One random layer consumes the CPU RNG stream in the same order either way: exact.
    result = check_accumulation(_model(nn.Dropout(0.3)), _ce, _batch(), steps=4)
    assert result.random_forward and result.exact and result.causes == []
    assert result.max_relative_deviation <= 1e-13


def test_functional_dropout_is_found_through_the_rng_even_without_a_dropout_module() -> None:
    class Noisy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(6, 3).double()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = F.dropout(x, 0.2, self.training)
            return F.dropout(self.lin(h), 0.2, self.training)

    result = check_accumulation(Noisy(), _ce, _batch(), steps=2)
    assert [c.name for c in result.causes] == ["dropout-rng"]
    assert "random operation" in result.causes[0].message


def test_token_means_over_unequal_counts_are_named_sg207_and_item_weighting_fixes_them() -> None:
    batch = concat(sequences(4, per_micro=2))
    result = check_accumulation(TokenModel(), token_loss, batch, steps=4, items=count_tokens)
    print(result)
    assert len(set(result.micro_batch_items)) > 1
    assert result.max_relative_deviation > 1e-2
    assert [c.name for c in result.causes] == ["unequal-item-means"]
    assert result.causes[0].deviation_without <= 1e-13
    assert result.report().codes == ["SG207"]


def test_several_causes_are_named_together_with_the_residual() -> None:
    model = _model(nn.Dropout(0.2), nn.BatchNorm1d(16), nn.Dropout(0.2))
    result = check_accumulation(model, _ce, _batch(18), steps=4)  # sizes 5, 5, 4, 4
    print(result)
    names = {c.name for c in result.causes}
    assert names == {"batchnorm-train", "dropout-rng", "unequal-item-means"}
    assert all(c.deviation_without > 1e-6 for c in result.causes)  # one fix alone is not enough
    assert result.residual_deviation <= 1e-13


def test_a_random_layer_that_draws_the_same_masks_is_not_blamed() -> None:
    model = _model(nn.BatchNorm1d(16), nn.Dropout(0.2))  # one dropout: same masks on CPU
    result = check_accumulation(model, _ce, _batch(), steps=4)
    assert result.random_forward
    assert [c.name for c in result.causes] == ["batchnorm-train"]


def test_check_changes_nothing_in_the_users_model_or_rng() -> None:
    model = _model(nn.BatchNorm1d(16), nn.Dropout(0.3))
    batch = _batch()
    _ce(model, batch).backward()  # the user already holds gradients
    before = copy.deepcopy(model.state_dict())
    grads = [p.grad.clone() for p in model.parameters()]
    rng = torch.get_rng_state()
    check_accumulation(model, _ce, batch, steps=4)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # incl. BN running stats
    assert int(after["1.num_batches_tracked"]) == 1
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, model.parameters(), strict=True))
    assert torch.equal(rng, torch.get_rng_state())
    assert model.training and model[1].training


def test_bad_arguments_are_rejected_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        check_accumulation(_model(), _ce, _batch(), steps=0)
    with pytest.raises(ValueError, match="cannot make 8 micro-batches"):
        check_accumulation(_model(), _ce, _batch(4), steps=8)
    with pytest.raises(ValueError, match="must return a scalar"):
        check_accumulation(
            _model(),
            lambda m, b: F.cross_entropy(m(b[0]), b[1], reduction="none"),
            _batch(),
            steps=2,
        )
