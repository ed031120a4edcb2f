"""Tests for stepguard.grouping: classify() decisions, param_groups() dicts, options and bad input."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from stepguard.grouping import classify, param_groups


class TinyLM(nn.Module):
    """Embedding tied to a Linear head, LayerNorm, a bare scale vector, a frozen tensor."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(11, 8)
        self.proj = nn.Linear(8, 8)
        self.ln = nn.LayerNorm(8)
        self.scale = nn.Parameter(torch.ones(8))
        self.frozen = nn.Parameter(torch.zeros(8, 8), requires_grad=False)
        self.head = nn.Linear(8, 11, bias=False)
        self.head.weight = self.emb.weight


def by_name(model: nn.Module, **kwargs: object) -> dict[str, tuple[bool, str]]:
    return {d.name: (d.decay, d.reason) for d in classify(model, **kwargs)}  # type: ignore[arg-type]


def test_classify_basic_categories_and_tied_embedding() -> None:
    decisions = classify(TinyLM())
    got = {d.name: (d.decay, d.reason, d.module_type) for d in decisions}
    assert got == {
        "scale": (False, "1d", "TinyLM"),
        "emb.weight": (False, "embedding", "Embedding"),
        "proj.weight": (True, "default", "Linear"),
        "proj.bias": (False, "bias", "Linear"),
        "ln.weight": (False, "norm", "LayerNorm"),
        "ln.bias": (False, "norm", "LayerNorm"),
    }
    tied = next(d for d in decisions if d.name == "emb.weight")
    assert tied.names == ("emb.weight", "head.weight")
    assert "alias 'head.weight' is Linear weight" in tied.detail


def test_param_groups_every_trainable_tensor_once_frozen_left_out() -> None:
    model = TinyLM()
    groups = param_groups(model, 0.1)
    assert [g["weight_decay"] for g in groups] == [0.1, 0.0]
    ids = [id(p) for g in groups for p in g["params"]]
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert len(ids) == len(set(ids)) == len(trainable) == 6
    assert set(ids) == trainable
    assert [p.shape for p in groups[0]["params"]] == [torch.Size([8, 8])]


@pytest.mark.parametrize("opt_cls", [torch.optim.AdamW, torch.optim.Adam, torch.optim.SGD])
def test_groups_with_names_work_in_torch_optimizers(opt_cls: type[torch.optim.Optimizer]) -> None:
    model = TinyLM()
    opt = opt_cls(param_groups(model, 0.05, with_names=True), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["proj.weight"]
    assert opt.param_groups[1]["param_names"] == [
        "scale",
        "emb.weight",
        "proj.bias",
        "ln.weight",
        "ln.bias",
    ]
    loss = model.head(model.ln(model.proj(model.emb(torch.tensor([1, 2]))))).sum()
    loss.backward()
    before = model.ln.weight.detach().clone()
    opt.step()
    state = opt.state_dict()
    assert [g["weight_decay"] for g in state["param_groups"]] == [0.05, 0.0]
    opt.load_state_dict(state)
    assert not torch.equal(before, model.ln.weight)


def test_not_a_module_is_a_type_error_naming_the_fix() -> None:
    with pytest.raises(TypeError, match=r"needs a torch.nn.Module, got generator"):
        classify(TinyLM().parameters())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"param_groups\(\) needs a torch.nn.Module, got dict"):
        param_groups({}, 0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_bad_weight_decay_value_is_a_value_error(bad: float) -> None:
    with pytest.raises(ValueError, match=r"weight_decay must be a finite number >= 0"):
        param_groups(TinyLM(), bad)


@pytest.mark.parametrize("bad", ["0.1", None, True])
def test_weight_decay_not_a_number_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match=r"weight_decay must be a real number"):
        param_groups(TinyLM(), bad)  # type: ignore[arg-type]


def test_no_trainable_parameters_is_a_value_error() -> None:
    model = TinyLM().requires_grad_(False)
    assert classify(model) == []
    with pytest.raises(ValueError, match=r"TinyLM has no trainable parameters"):
        param_groups(model, 0.1)
