"""Tests for stepguard.groups._classify: classify() decisions, param_groups() dicts, options and bad input."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from stepguard.groups import (
    classify,
    muon_param_groups,
    output_head,
    param_groups,
    summarize_groups,
)


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


class Block(nn.Module):
    """A submodule declaring no-decay names the timm way."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.pos_embed = nn.Parameter(torch.zeros(1, 3, 4))
        self.rel_table = nn.Parameter(torch.zeros(5, 2))
        self.gain = nn.Parameter(torch.ones(4, 4))

    def no_weight_decay(self) -> set[str]:
        return {"pos_embed"}

    def no_weight_decay_keywords(self) -> set[str]:
        return {"rel_"}


class Declaring(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.gates = nn.Parameter(torch.zeros(2, 4))
        self.gates._no_weight_decay = True  # type: ignore[attr-defined]
        self.extra = nn.Parameter(torch.zeros(3, 3))


def test_declared_tensor_flag_and_pattern_reasons() -> None:
    got = {
        d.name: (d.decay, d.reason, d.detail) for d in classify(Declaring(), patterns=["*.gain"])
    }
    assert got == {
        "gates": (False, "tensor-flag", "tensor attribute _no_weight_decay = True"),
        "extra": (True, "default", "2-D tensor owned by Declaring"),
        "block.pos_embed": (False, "declared", "block.no_weight_decay() lists 'pos_embed'"),
        "block.rel_table": (False, "declared", "block.no_weight_decay_keywords() has 'rel_'"),
        "block.gain": (False, "pattern", "matches pattern '*.gain'"),
        "block.fc.weight": (True, "default", "Linear weight"),
        "block.fc.bias": (False, "bias", "Linear bias"),
    }


def test_no_decay_categories_and_embedding_switch() -> None:
    only_norm = by_name(TinyLM(), no_decay={"norm"})
    assert only_norm["proj.bias"] == (True, "bias")
    assert only_norm["ln.weight"] == (False, "norm")
    assert only_norm["emb.weight"] == (True, "embedding")
    decayed = by_name(TinyLM(), decay_embeddings=True)
    assert decayed["emb.weight"] == (True, "embedding")
    assert decayed["scale"] == (False, "1d")
    with pytest.raises(ValueError, match=r"unknown no_decay categories \['norms'\]"):
        classify(TinyLM(), no_decay={"norms"})
    with pytest.raises(TypeError, match=r"not the string 'norm'"):
        classify(TinyLM(), no_decay="norm")


def test_overrides_make_extra_groups_without_breaking_the_decay_split() -> None:
    model = TinyLM()
    groups = param_groups(
        model, 0.1, overrides={"proj.*": {"lr": 1e-3, "weight_decay": 0.5}}, with_names=True
    )
    assert [(g["param_names"], g["weight_decay"], g.get("lr")) for g in groups] == [
        (["scale", "emb.weight", "ln.weight", "ln.bias"], 0.0, None),
        (["proj.weight"], 0.5, 1e-3),
        (["proj.bias"], 0.0, 1e-3),
    ]
    opt = torch.optim.AdamW(groups, lr=1e-2)
    assert [g["lr"] for g in opt.param_groups] == [1e-2, 1e-3, 1e-3]
    with pytest.raises(ValueError, match=r"pattern\(s\) \['decoder\.\*'\] match no trainable"):
        param_groups(model, 0.1, overrides={"decoder.*": {"lr": 1.0}})
    with pytest.raises(ValueError, match=r"may not set \['params'\]"):
        param_groups(model, 0.1, overrides={"proj.*": {"params": []}})


def test_every_torch_norm_class_and_custom_norm_types_are_norms() -> None:
    class Fp32LN(nn.LayerNorm):  # a subclass without "Norm" in its name: caught by isinstance
        pass

    class LearnedLRN(nn.LocalResponseNorm):  # LRN has no tensors of its own; give it one
        def __init__(self) -> None:
            super().__init__(2)
            self.scale = nn.Parameter(torch.ones(3))

    class MyRMSNorm(nn.Module):  # custom class: caught by its type name
        def __init__(self) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.ones(4))

    layers = [
        nn.LayerNorm(4),
        nn.RMSNorm(4),
        nn.GroupNorm(2, 4),
        nn.BatchNorm1d(4),
        nn.BatchNorm2d(4),
        nn.BatchNorm3d(4),
        nn.SyncBatchNorm(4),
        nn.InstanceNorm1d(4, affine=True),
        nn.InstanceNorm2d(4, affine=True),
        nn.InstanceNorm3d(4, affine=True),
        nn.LazyBatchNorm1d(),
        nn.LazyBatchNorm2d(),
        nn.LazyBatchNorm3d(),
        nn.LazyInstanceNorm1d(affine=True),
        nn.LazyInstanceNorm2d(affine=True),
        nn.LazyInstanceNorm3d(affine=True),
        Fp32LN(4),
        LearnedLRN(),
        MyRMSNorm(),
    ]
    decisions = classify(nn.ModuleList(layers))
    assert len(decisions) == 35
    assert {(d.reason, d.decay) for d in decisions} == {("norm", False)}
    assert decisions[-1].module_type == "MyRMSNorm"
    assert decisions[-2].detail == "LearnedLRN scale"


def test_torch_base_class_wins_over_norm_in_type_name() -> None:
    class WeightNormLinear(nn.Linear):
        pass

    got = by_name(nn.Sequential(WeightNormLinear(4, 4)))
    assert got == {"0.weight": (True, "default"), "0.bias": (False, "bias")}


def test_attention_and_rnn_tensors_classified_by_role() -> None:
    model = nn.ModuleDict(
        {"mha": nn.MultiheadAttention(4, 2, add_bias_kv=True), "rnn": nn.GRU(4, 4)}
    )
    got = {d.name: d.reason for d in classify(model)}
    assert got == {
        "mha.in_proj_weight": "default",
        "mha.in_proj_bias": "bias",
        "mha.bias_k": "bias",
        "mha.bias_v": "bias",
        "mha.out_proj.weight": "default",
        "mha.out_proj.bias": "bias",
        "rnn.weight_ih_l0": "default",
        "rnn.weight_hh_l0": "default",
        "rnn.bias_ih_l0": "bias",
        "rnn.bias_hh_l0": "bias",
    }


class FlatLinear(nn.Linear):
    """A Linear whose weight is stored flattened to 1-D (as a sharded flat parameter is)."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__(n_in, n_out)
        self.weight = nn.Parameter(self.weight.detach().reshape(-1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight.view(self.out_features, self.in_features)
        return nn.functional.linear(x, w, self.bias)


def test_flattened_weight_is_classified_by_role_not_ndim() -> None:
    model = nn.Sequential(FlatLinear(4, 3), nn.Linear(3, 2))
    got = {d.name: (d.shape, d.decay, d.reason, d.detail) for d in classify(model)}
    assert got["0.weight"] == ((12,), True, "default", "FlatLinear weight")
    assert got["0.bias"] == ((3,), False, "bias", "FlatLinear bias")
    # the rule the role overrides: a bare 1-D tensor of unknown role skips decay
    assert by_name(nn.ParameterList([nn.Parameter(torch.ones(12))])) == {"0": (False, "1d")}


def test_torch_compile_wrapper_gives_same_decisions_and_clean_names() -> None:
    model = Declaring()
    model.block = torch.compile(model.block)  # type: ignore[assignment]
    compiled = torch.compile(model)
    plain = [(d.names, d.decay, d.reason) for d in classify(Declaring())]
    assert [(d.names, d.decay, d.reason) for d in classify(compiled)] == plain
    groups = param_groups(compiled, 0.1, with_names=True)  # type: ignore[arg-type]
    assert groups[0]["param_names"] == ["extra", "block.gain", "block.fc.weight"]


def test_ddp_and_fsdp2_wrappers_give_same_decisions(tmp_path: Path) -> None:
    import torch.distributed as dist
    from torch.distributed.fsdp import fully_shard

    plain = [(d.names, d.shape, d.decay, d.reason) for d in classify(Declaring())]
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'pg'}", rank=0, world_size=1)
    try:

        class Root(Declaring):
            def no_weight_decay(self) -> list[str]:
                return ["extra"]

        wrapped_root = classify(nn.parallel.DistributedDataParallel(Root()))
        assert wrapped_root[1].name == "extra"
        assert (wrapped_root[1].reason, wrapped_root[1].detail) == (
            "declared",
            "model.no_weight_decay() lists 'extra'",
        )
        ddp = nn.parallel.DistributedDataParallel(Declaring())
        assert next(n for n, _ in ddp.named_parameters()) == "module.gates"
        assert [(d.names, d.shape, d.decay, d.reason) for d in classify(ddp)] == plain
        sharded = Declaring()
        fully_shard(sharded.block)
        fully_shard(sharded)
        assert type(sharded.block.fc.weight).__name__ == "DTensor"
        # fully_shard makes new Parameters and drops tensor attributes: the _no_weight_decay flag
        # is lost (a documented limitation), everything structural survives; the names do too,
        # so the flagged names found before sharding can be passed as patterns.
        flagged = [d.name for d in classify(Declaring()) if d.reason == "tensor-flag"]
        after = [(d.names, d.shape, d.decay, d.reason) for d in classify(sharded)]
        assert after[0] == (("gates",), (2, 4), True, "default")
        assert after[1:] == plain[1:]
        assert by_name(sharded, patterns=flagged)["gates"] == (False, "pattern")
    finally:
        dist.destroy_process_group()


def test_meta_device_classify_works_param_groups_refuses() -> None:
    with torch.device("meta"):
        model = TinyLM()
    assert by_name(model) == by_name(TinyLM())
    with pytest.raises(ValueError, match=r"6 parameter\(s\) are on the meta device .*to_empty"):
        param_groups(model, 0.1)


@settings(max_examples=40, deadline=None)
@given(
    layers=st.lists(
        st.sampled_from(["linear", "ln", "emb", "conv", "vec"]), min_size=1, max_size=6
    ),
    tie=st.booleans(),
    frozen=st.sets(st.integers(0, 5)),
)
def test_groups_partition_trainable_tensors_for_any_layer_mix(
    layers: list[str], tie: bool, frozen: set[int]
) -> None:
    make = {
        "linear": lambda: nn.Linear(4, 4),
        "ln": lambda: nn.LayerNorm(4),
        "emb": lambda: nn.Embedding(4, 4),
        "conv": lambda: nn.Conv1d(4, 4, 1),
        "vec": lambda: nn.ParameterList([nn.Parameter(torch.ones(4))]),
    }
    model = nn.ModuleList([make[kind]() for kind in layers])
    if tie and "emb" in layers and "linear" in layers:
        model[layers.index("linear")].weight = model[layers.index("emb")].weight
    for i in frozen & set(range(len(layers))):
        model[i].requires_grad_(False)
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    decisions = classify(model)
    assert [id(d.param) for d in decisions] == [
        id(p) for p in model.parameters() if p.requires_grad
    ]
    if not trainable:
        return
    groups = param_groups(model, 0.1)
    placed = [id(p) for g in groups for p in g["params"]]
    assert len(placed) == len(set(placed)) and set(placed) == trainable
    decay = {id(d.param) for d in decisions if d.decay}
    assert {id(p) for g in groups if g["weight_decay"] > 0 for p in g["params"]} == decay
    # in this zoo exactly the trainable Linear/Conv weights decay, unless tied to an embedding
    layer_weights = {id(m.weight) for m in model if isinstance(m, (nn.Linear, nn.Conv1d))}
    embeddings = {id(m.weight) for m in model if isinstance(m, nn.Embedding)}
    assert decay == (layer_weights - embeddings) & trainable


def test_order_is_named_parameters_order() -> None:
    model = Declaring()
    assert [d.name for d in classify(model)] == [n for n, _ in model.named_parameters()]


def test_summary_rows_for_built_groups_count_tensors_and_elements() -> None:
    model = TinyLM()
    summary = summarize_groups(param_groups(model, 0.1, overrides={"proj.*": {"lr": 1e-3}}), model)
    rows = [(r.weight_decay, r.tensors, r.elements, r.names, dict(r.options)) for r in summary.rows]
    assert rows == [
        (0.0, 4, 8 + 88 + 8 + 8, ("scale", "emb.weight", "ln.weight", "ln.bias"), {}),
        (0.1, 1, 64, ("proj.weight",), {"lr": 1e-3}),
        (0.0, 1, 8, ("proj.bias",), {"lr": 1e-3}),
    ]
    text = str(summary).splitlines()
    assert text[0].split() == ["group", "weight_decay", "tensors", "elements", "lr", "examples"]
    assert text[2].split() == [
        "0",
        "0",
        "4",
        "112",
        "-",
        "scale,",
        "emb.weight,",
        "ln.weight,",
        "...",
        "(+1)",
    ]
    assert text[-1].split() == ["total", "6", "184"]


def test_summary_of_existing_optimizer_lists_reasons_and_marks_disagreement() -> None:
    model = TinyLM()
    opt = torch.optim.AdamW(
        [p for n, p in model.named_parameters() if n != "proj.bias" and p.requires_grad], lr=0.1
    )
    summary = summarize_groups(opt, model, per_parameter=True)
    assert [(r.weight_decay, r.tensors) for r in summary.rows] == [(0.01, 5)]
    assert summary.missing == ("proj.bias",)
    assert summary.parameters is not None
    listing = {p.name: (p.reason, p.mismatch) for p in summary.parameters}
    assert listing == {
        "scale": ("1d", True),
        "emb.weight": ("embedding", True),
        "proj.weight": ("default", False),
        "ln.weight": ("norm", True),
        "ln.bias": ("norm", True),
    }
    text = str(summary)
    assert "not in any group: 1 trainable tensor(s): proj.bias" in text
    assert "! 4 tensor(s) whose group decay disagrees with classify()" in text
    assert summary.to_dict()["groups"][0]["names"] == [
        "scale",
        "emb.weight",
        "proj.weight",
        "ln.weight",
        "ln.bias",
    ]


def test_summary_names_frozen_and_foreign_tensors_in_an_optimizer() -> None:
    model = TinyLM()
    stranger = nn.Parameter(torch.zeros(2, 2))
    opt = torch.optim.SGD([model.frozen, stranger, model.proj.weight], lr=0.1, weight_decay=0.1)
    summary = summarize_groups(opt, model, per_parameter=True)
    assert summary.parameters is not None
    assert [(p.name, p.reason, p.mismatch) for p in summary.parameters] == [
        ("frozen", "frozen", False),
        ("<not in model>", "foreign", False),
        ("proj.weight", "default", False),
    ]
    assert summary.rows[0].elements == 64 + 4 + 64
    assert len(summary.missing) == 5


def test_summary_rejects_what_is_not_groups() -> None:
    with pytest.raises(TypeError, match=r"needs an optimizer or a list of param-group dicts"):
        summarize_groups(TinyLM())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"'params' is a generator; pass a list"):
        summarize_groups([{"params": (p for p in TinyLM().parameters())}])


def test_muon_split_hidden_matrices_to_muon_rest_to_adamw() -> None:
    model = nn.Sequential(
        nn.Embedding(16, 8), nn.Linear(8, 8), nn.LayerNorm(8), nn.Linear(8, 8), nn.Linear(8, 16)
    )
    assert output_head(model) == ("4.weight", "4.bias")
    muon, adamw = muon_param_groups(model, 0.1, adamw_weight_decay=0.01, with_names=True)
    assert [(g["param_names"], g["weight_decay"]) for g in muon] == [
        (["1.weight", "3.weight"], 0.1)
    ]
    assert [(g["param_names"], g["weight_decay"]) for g in adamw] == [
        (["4.weight"], 0.01),
        (["0.weight", "1.bias", "2.weight", "2.bias", "3.bias", "4.bias"], 0.0),
    ]
    opt_muon = torch.optim.Muon(muon, lr=0.02)
    opt_adamw = torch.optim.AdamW(adamw, lr=1e-3)
    model(torch.tensor([1, 5])).sum().backward()
    before = model[1].weight.detach().clone()
    opt_muon.step()
    opt_adamw.step()
    assert not torch.equal(before, model[1].weight)
    # an explicit empty head puts the last Linear in Muon too
    muon, _ = muon_param_groups(model, 0.1, head=(), with_names=True)
    assert muon[0]["param_names"] == ["1.weight", "3.weight", "4.weight"]


def test_muon_split_keeps_conv_and_flat_weights_with_adamw() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), FlatLinear(4, 4), nn.Linear(4, 4))
    muon, adamw = muon_param_groups(model, 0.1, head=["3.*"], with_names=True)
    assert muon == []
    assert [g["param_names"] for g in adamw] == [
        ["0.weight", "2.weight", "3.weight"],
        ["0.bias", "2.bias", "3.bias"],
    ]
