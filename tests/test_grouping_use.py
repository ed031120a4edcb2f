"""Role by use: classify(model, example_inputs=...) decides tensors by the operations they enter.

Each module below stores a role where a structural rule gets it wrong or cannot tell, and its
forward uses the tensor the way real models do; the tests check the decision, that the detail
names the observed use, that true projections still decay, and that the model is left exactly as
it was (tensors, values, buffers, modes, hooks, attributes, random states, gradients).
"""

from __future__ import annotations

import random
import warnings

import pytest
import torch
from torch import nn

from stepguard.groups import classify, muon_param_groups, param_groups
from stepguard.groups._forward import observe


def by_use(model: nn.Module, inputs: object) -> dict[str, tuple[bool, str, str]]:
    return {d.name: (d.decay, d.reason, d.detail) for d in classify(model, example_inputs=inputs)}


class RelativeBiasAttention(nn.Module):
    """A bias table gathered at fixed relative positions and added to the scores, with no
    index buffer and no telling name: only the forward shows it is a table."""

    def __init__(self, n: int = 4, heads: int = 2, d: int = 8) -> None:
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)
        self.table = nn.Parameter(torch.zeros(2 * n - 1, heads))
        self.heads = heads

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, d // self.heads).unbind(2)
        pos = torch.arange(n, device=x.device)
        rel = pos[:, None] - pos[None, :] + n - 1
        bias = self.table[rel].permute(2, 0, 1)
        scores = q.transpose(1, 2) @ k.transpose(1, 2).transpose(-1, -2) + bias
        return (scores.softmax(-1) @ v.transpose(1, 2)).transpose(1, 2).reshape(b, n, d)


def test_table_gathered_at_fixed_positions_is_an_embedding_qkv_decays() -> None:
    got = by_use(RelativeBiasAttention(), torch.randn(2, 4, 8))
    assert got["table"] == (False, "embedding", "use: indexed by aten.index at fixed positions")
    assert got["qkv.weight"] == (True, "default", "Linear weight; use: mm weight (aten.addmm)")
    # structurally the (7, 2) matrix with no telling name decays: the forward corrects it
    assert {d.name: d.decay for d in classify(RelativeBiasAttention())}["table"] is True


class RelativeKeys(nn.Module):
    """Relative key / value tables padded and cut to the input's length, then multiplied with the
    queries and the attention weights (VITS, glow-TTS), beside a real projection."""

    def __init__(self, window: int = 2, d: int = 4) -> None:
        super().__init__()
        self.window = window
        self.keys_rel = nn.Parameter(torch.zeros(2 * window + 1, d))
        self.proj = nn.Parameter(torch.zeros(d, d))

    def forward(self, q: torch.Tensor) -> torch.Tensor:
        n = q.shape[1]
        pad = max(n - (self.window + 1), 0)
        table = nn.functional.pad(self.keys_rel, (0, 0, pad, pad))
        start = max(self.window + 1 - n, 0)
        rel = table[start : start + 2 * n - 1]
        return (q @ rel.t()) @ rel @ self.proj


def test_table_cut_to_the_input_length_is_not_a_weight() -> None:
    got = by_use(RelativeKeys(), torch.randn(2, 6, 4))
    assert got["keys_rel"] == (
        False,
        "embedding",
        "use: cut to the input's length by aten.constant_pad_nd, then an operand of aten.mm (a "
        "relative-position table: a weight is never cut to the input)",
    )
    assert got["proj"] == (True, "default", "use: mm weight (aten.mm)")


class LearnedTokens(nn.Module):
    """A class token concatenated to the patches, a position table added, a resampler's latent
    queries used as activations, a gain multiplied and a shift added, all as raw tensors with
    names that say nothing; plus a (D, 1) projection whose name sounds like a scale."""

    def __init__(self, d: int = 8) -> None:
        super().__init__()
        self.patch = nn.Linear(12, d)
        self.first = nn.Parameter(torch.zeros(1, 1, d))
        self.where = nn.Parameter(torch.zeros(1, 5, d))
        self.lat = nn.Parameter(torch.zeros(3, d))
        self.attend = nn.Linear(d, d)
        self.g = nn.Parameter(torch.ones(d, d))  # elementwise gain stored 2-D
        self.shift = nn.Parameter(torch.zeros(3, d))
        self.alpha_scale = nn.Parameter(torch.zeros(d, 1))  # used as x @ w: a projection

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.patch(x)
        tokens = torch.cat([self.first.expand(x.shape[0], -1, -1), tokens], dim=1) + self.where
        queries = self.attend(self.lat.expand(x.shape[0], -1, -1))
        mixed = (queries @ tokens.transpose(1, 2)).softmax(-1) @ tokens
        mixed = mixed @ self.g * self.g[0] + self.shift
        return mixed @ self.alpha_scale


def test_tokens_tables_gains_and_shifts_skip_decay_column_projection_decays() -> None:
    got = by_use(LearnedTokens(), torch.randn(2, 4, 12))
    assert {k: v[:2] for k, v in got.items()} == {
        "first": (False, "embedding"),
        "where": (False, "bias"),
        "lat": (False, "embedding"),
        "g": (True, "default"),
        "shift": (False, "bias"),
        "alpha_scale": (True, "default"),
        "patch.weight": (True, "default"),
        "patch.bias": (False, "bias"),
        "attend.weight": (True, "default"),
        "attend.bias": (False, "bias"),
    }
    assert got["first"][2] == "use: used as an activation (aten.cat: a learned token or query)"
    assert got["lat"][2] == "use: used as an activation (aten.mm: a learned token or query)"
    assert got["where"][2] == "use: added (aten.add)"
    # g is used twice: as a weight (mixed @ g) and as a gain (* g[0]); the weight use decides
    assert got["g"][2] == "use: mm weight (aten.mm); also multiplied elementwise (aten.mul)"
    assert got["alpha_scale"][2] == "use: mm weight (aten.mm)"


class AttentionPooling(nn.Module):
    """A learned query vector scored against keys (Aimv2's pooling head), beside a weight matrix
    applied from the left (channels-first code: W @ x)."""

    def __init__(self, d: int = 8) -> None:
        super().__init__()
        self.probe = nn.Parameter(torch.zeros(1, 1, d))
        self.w_left = nn.Parameter(torch.zeros(d, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        keys = (self.w_left @ x.transpose(1, 2)).transpose(1, 2)
        scores = (self.probe.expand(x.shape[0], -1, -1) @ keys.transpose(1, 2)).softmax(-1)
        return scores @ keys


def test_learned_query_vector_is_a_token_a_left_weight_matrix_decays() -> None:
    got = by_use(AttentionPooling(), torch.randn(2, 5, 8))
    assert got["probe"] == (
        False,
        "embedding",
        "use: used as an activation (aten.bmm: a learned token or query)",
    )
    assert got["w_left"] == (True, "default", "use: mm weight (aten.mm)")


class ChannelsFirstAffine(nn.Module):
    """A (C, 1) per-channel shift and log-scale on (B, C, T) data, beside a Linear so the
    structural rules read the columns as projections."""

    def __init__(self) -> None:
        super().__init__()
        self.mix = nn.Linear(5, 5)
        self.m = nn.Parameter(torch.zeros(2, 1))
        self.logs = nn.Parameter(torch.zeros(2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mix(self.m + torch.exp(self.logs) * x)


def test_column_used_elementwise_is_a_bias_and_a_scale() -> None:
    structural = {d.name: d.decay for d in classify(ChannelsFirstAffine())}
    assert structural["m"] is True and structural["logs"] is True
    got = by_use(ChannelsFirstAffine(), torch.randn(1, 2, 5))
    assert got["m"] == (False, "bias", "use: added (aten.add)")
    assert got["logs"] == (False, "scale", "use: multiplied elementwise (aten.mul) after aten.exp")
    assert got["mix.weight"][:2] == (True, "default")


class HandRMS(nn.Module):
    """An RMS norm whose class name says nothing and whose gain is a (1, 1, C) tensor."""

    def __init__(self) -> None:
        super().__init__()
        self.g = nn.Parameter(torch.ones(1, 1, 8))
        self.o = nn.Linear(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
        return self.o(h * self.g)


def test_gain_of_a_hand_written_norm_is_a_norm_by_use() -> None:
    got = by_use(HandRMS(), torch.randn(2, 3, 8))
    assert got["g"] == (
        False,
        "norm",
        "use: scales a normalized activation (aten.mul after aten.rsqrt)",
    )
    assert got["o.weight"][:2] == (True, "default")


class Experts(nn.Module):
    """Fused experts whose rows the router selects (a gather by the input), then multiplied."""

    def __init__(self, e: int = 4, d: int = 8) -> None:
        super().__init__()
        self.router = nn.Linear(d, e, bias=False)
        self.experts = nn.Parameter(torch.zeros(e, d, d))
        self.expert_bias = nn.Parameter(torch.zeros(e, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        top = self.router(x).topk(1, dim=-1).indices[..., 0]
        w = self.experts[top]
        return (x.unsqueeze(-2) @ w).squeeze(-2) + self.expert_bias[top]


def test_router_selected_expert_weights_decay_their_biases_do_not() -> None:
    got = by_use(Experts(), torch.randn(2, 3, 8))
    assert got["experts"] == (
        True,
        "default",
        "use: mm weight (aten.bmm), rows selected by aten.index",
    )
    assert got["expert_bias"] == (False, "embedding", "use: indexed by aten.index")
    assert got["router.weight"][:2] == (True, "default")


def test_convolution_weight_and_bias_by_use() -> None:
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.ConvTranspose2d(3, 2, 1))
    got = by_use(model, lambda m: m[1](m[0](torch.randn(1, 2, 8)).unsqueeze(-1)))
    assert got == {
        "0.weight": (True, "default", "Conv1d weight; use: conv weight (aten.convolution)"),
        "0.bias": (False, "bias", "Conv1d bias; use: added (aten.convolution)"),
        "1.weight": (
            True,
            "default",
            "ConvTranspose2d weight; use: conv weight (aten.convolution)",
        ),
        "1.bias": (False, "bias", "ConvTranspose2d bias; use: added (aten.convolution)"),
    }


class WeightStandardizedConv2d(nn.Conv2d):
    """BiT's convolution: the weight is standardized by a batch norm without affine, then used."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight.reshape(1, self.out_channels, -1)
        w = nn.functional.batch_norm(w, None, None, training=True, momentum=0.0, eps=1e-6)
        return nn.functional.conv2d(x, w.reshape_as(self.weight), self.bias)


class ScaledHead(nn.Linear):
    """A Linear subclass with a tensor of its own: not one of the layer's (Dory's LM head)."""

    def __init__(self) -> None:
        super().__init__(4, 6)
        self.logit_scale = nn.Parameter(torch.ones(6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) * self.logit_scale


def test_standardized_weight_is_a_weight_and_a_subclass_tensor_is_not_the_layer_s() -> None:
    got = by_use(WeightStandardizedConv2d(2, 3, 3), torch.randn(1, 2, 5, 5))
    assert got["weight"] == (
        True,
        "default",
        "WeightStandardizedConv2d weight; use: conv weight (aten.convolution) after "
        "aten.native_batch_norm",
    )
    structural = {d.name: (d.decay, d.reason) for d in classify(ScaledHead())}
    assert structural == {
        "weight": (True, "default"),
        "bias": (False, "bias"),
        "logit_scale": (False, "1d"),
    }
    assert by_use(ScaledHead(), torch.randn(2, 4))["logit_scale"] == (
        False,
        "scale",
        "use: multiplied elementwise (aten.mul)",
    )


class ContinuousPositionBias(nn.Module):
    """Swin V2's continuous position bias: a two-layer MLP (raw tensors here) over a constant
    table of relative coordinates, added to the attention scores. A layer applied to constants
    is still a layer."""

    def __init__(self, n: int = 3, hidden: int = 8, heads: int = 2) -> None:
        super().__init__()
        coords = torch.stack(torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij"), -1)
        self.register_buffer("coords", coords.reshape(-1, 2).float())
        self.w1 = nn.Parameter(torch.zeros(2, hidden))
        self.b1 = nn.Parameter(torch.zeros(hidden))
        self.w2 = nn.Parameter(torch.zeros(hidden, heads))

    def forward(self, scores: torch.Tensor) -> torch.Tensor:
        bias = torch.relu(self.coords @ self.w1 + self.b1) @ self.w2
        return scores + bias.t()[:, :, None]


def test_mlp_over_constant_coordinates_is_weights_and_biases() -> None:
    got = by_use(ContinuousPositionBias(), torch.randn(1, 2, 9, 9))
    assert {k: v[:2] for k, v in got.items()} == {
        "w1": (True, "default"),
        "b1": (False, "bias"),
        "w2": (True, "default"),
    }
    assert got["w1"][2] == "use: mm weight (aten.mm)"


class TiedLM(nn.Module):
    """An output head whose weight is used for the input lookup too (tied without an Embedding)."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(8, 16, bias=False)
        self.body = nn.Linear(8, 8)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(nn.functional.embedding(ids, self.head.weight)))


def test_weight_looked_up_by_the_inputs_and_used_as_head_is_a_tied_embedding() -> None:
    got = by_use(TiedLM(), torch.randint(0, 16, (2, 5)))
    assert got["head.weight"] == (
        False,
        "embedding",
        "use: indexed by aten.embedding and mm weight (aten.mm) (a tied embedding and output "
        "head, decided as an embedding)",
    )
    assert {d.name: d.decay for d in classify(TiedLM())}["head.weight"] is True  # structure


class Partial(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Linear(4, 4)
        self.spare = nn.Parameter(torch.zeros(4, 4))  # not used in this forward
        self.odd = nn.Parameter(torch.ones(4))  # used by an operation role-by-use does not read
        self.emb = nn.Embedding(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.used(x)
        return torch.cdist(y, self.odd[None, :]) + self.emb.weight @ y


def test_unused_and_uninterpreted_tensors_keep_the_structural_rule_and_say_so() -> None:
    got = by_use(Partial(), torch.randn(4, 4))
    assert got["spare"] == (
        True,
        "default",
        "2-D tensor owned by Partial (not used in the example forward: structural rule)",
    )
    assert got["odd"] == (
        False,
        "1d",
        "1-D tensor of 4 owned by Partial; use: entered (aten._cdist_forward) (not interpreted), "
        "structural rule kept",
    )
    # torch's own classes keep their rule; a disagreeing use is reported
    assert got["emb.weight"] == (
        False,
        "embedding",
        "Embedding weight (a torch class: kept); use: mm weight (aten.mm) would say default",
    )


def test_declared_and_pattern_rules_win_over_use() -> None:
    got = {
        d.name: (d.decay, d.reason)
        for d in classify(LearnedTokens(), patterns=["g"], example_inputs=torch.randn(1, 4, 12))
    }
    assert got["g"] == (False, "pattern")


def test_callable_example_inputs_and_param_groups_use_the_same_decisions() -> None:
    model = TiedLM()

    def run(m: nn.Module) -> torch.Tensor:
        ids = torch.randint(0, 16, (2, 5))  # built by the caller: an input, not a constant
        return m(ids)

    got = by_use(model, run)
    assert got["head.weight"][:2] == (False, "embedding")
    groups = param_groups(model, 0.1, example_inputs=run, with_names=True)
    assert [(g["param_names"], g["weight_decay"]) for g in groups] == [
        (["body.weight"], 0.1),
        (["head.weight", "body.bias"], 0.0),
    ]
    muon, adamw = muon_param_groups(model, 0.1, example_inputs=run, head=(), with_names=True)
    assert muon == [
        {"params": [model.body.weight], "weight_decay": 0.1, "param_names": ["body.weight"]}
    ]
    assert [g["param_names"] for g in adamw] == [["head.weight", "body.bias"]]


class Stateful(nn.Module):
    """Everything a forward can touch: BatchNorm statistics (train mode), dropout (RNG), a plain
    attribute cache, a counter buffer written in place, an old-style weight norm that rebinds
    `weight` on every call, and a hook."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self.fc = torch.nn.utils.weight_norm(nn.Linear(4, 4))
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))
        self.calls_seen: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.cache = x.detach()
        self.calls += 1
        return self.fc(self.drop(self.bn(x)))


def needs_values(module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
    """A pre-hook that reads a value (as data-dependent control flow does): fails on meta."""
    args[0].sum().item()


def _snapshot(model: nn.Module) -> list[object]:
    out: list[object] = []
    for m in model.modules():
        out.append((type(m).__name__, m.training, sorted(m.__dict__)))
        out += [(k, id(v)) for k, v in m.__dict__.items() if not k.startswith("_")]
        out += [(k, id(t), t.grad is None) for k, t in m._parameters.items() if t is not None]
        out += [(k, id(t), t._version) for k, t in m._buffers.items() if t is not None]
        out += [len(m._forward_hooks), len(m._forward_pre_hooks)]
    return out


@pytest.mark.parametrize("data_dependent", [False, True])
def test_the_model_is_left_exactly_as_it_was(data_dependent: bool) -> None:
    torch.manual_seed(0)
    model = Stateful().train()
    model.fc.eval()  # a submodule in another mode stays so
    seen: list[int] = []
    model.register_forward_hook(lambda m, a, o: seen.append(1))
    x = torch.randn(6, 4)
    model(x).sum().backward()
    if data_dependent:  # a forward that needs values: the meta run fails, a real one runs
        model.bn.register_forward_pre_hook(needs_values)
    values = {k: v.detach().clone() for k, v in model.state_dict().items()}
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    before = _snapshot(model)
    weight = model.fc.weight
    rng, py_rng = torch.get_rng_state(), random.getstate()
    hooks_before = len(seen)

    decisions = classify(model, example_inputs=x)
    observed = observe(model, x)
    assert observed.device == ("cpu" if data_dependent else "meta")
    assert (observed.meta_error is not None) == data_dependent

    assert {d.name: d.decay for d in decisions} == {
        "bn.weight": False,
        "bn.bias": False,
        "fc.bias": False,
        "fc.weight_g": False,
        "fc.weight_v": True,
    }
    assert _snapshot(model) == before
    assert model.fc.weight is weight and not weight.is_meta
    assert model.training and not model.fc.training and model.bn.training
    for k, v in model.state_dict().items():
        assert torch.equal(v, values[k]), k
    for n, p in model.named_parameters():
        assert p.grad is not None and torch.equal(p.grad, grads[n])
    assert torch.equal(torch.get_rng_state(), rng) and random.getstate() == py_rng
    assert len(seen) == hooks_before + 2  # the model's own hook ran once per forward
    assert not hasattr(model, "cache") or model.cache is not None


def test_wrapped_models_are_looked_through() -> None:
    model = RelativeBiasAttention()
    wrapped = nn.DataParallel(model)  # torch.compile's _orig_mod is looked through the same way
    got = {d.name: d.reason for d in classify(wrapped, example_inputs=torch.randn(1, 4, 8))}
    assert got["table"] == "embedding"
    assert all(p.device.type == "cpu" for p in wrapped.parameters())


def test_bad_example_inputs_are_clear_errors_before_anything_runs() -> None:
    model = RelativeBiasAttention()
    with pytest.raises(TypeError, match=r"example_inputs: got str; pass a tensor"):
        classify(model, example_inputs="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"example_inputs must be the model's inputs, not a module"):
        classify(model, example_inputs=model)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"example_inputs: one forward of RelativeBiasAttention "):
        classify(model, example_inputs=torch.randn(2, 4, 5))
    with pytest.raises(ValueError, match=r"lazy parameter\(s\) are not initialised"):
        classify(nn.LazyLinear(3), example_inputs=torch.randn(2, 4))
    with torch.device("meta"):
        meta = Stateful()
    meta.bn.register_forward_pre_hook(needs_values)
    with pytest.raises(ValueError, match=r"on the meta device failed .*cannot run for real"):
        classify(meta, example_inputs=torch.randn(6, 4))
