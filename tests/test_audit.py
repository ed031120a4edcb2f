"""The live audit: each SG1xx rule fires on the seeds' buggy setups and stays silent on the fix."""

from __future__ import annotations

import copy
import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from stepguard.auditing import audit, weight_decay_for_timescale
from stepguard.findings import FindingsError, Severity
from stepguard.groups import param_groups


class TinyTransformer(nn.Module):
    """Seed 000's model: 20 features seen as 5 tokens of 4, a pre-norm encoder, a linear head."""

    def __init__(self, d: int = 128, ncls: int = 5, nhead: int = 4, nl: int = 2) -> None:
        super().__init__()
        self.embed = nn.Linear(4, d)
        layer = nn.TransformerEncoderLayer(
            d_model=d, nhead=nhead, dim_feedforward=256, batch_first=True, norm_first=True
        )
        self.enc = nn.TransformerEncoder(layer, num_layers=nl, enable_nested_tensor=False)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.head = nn.Linear(d, ncls)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.enc(self.embed(x.view(x.size(0), 5, 4)))
        return self.head(self.pool(x.transpose(1, 2)).squeeze(-1))


class MLP(nn.Module):
    """Seed 003's model."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def seed_split_decay(model: nn.Module, wd: float = 0.01) -> list[dict]:
    """Seed 000's own "fix": split by name ("norm", "bn", ".bias")."""
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if n.endswith(".bias") or any(k in n.lower() for k in ["norm", "bn"]):
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


@pytest.fixture(scope="module")
def tiny() -> TinyTransformer:
    torch.manual_seed(0)
    return TinyTransformer()


def batch(n: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, 20, generator=g), torch.randint(0, 5, (n,), generator=g)


def ce_loss(model: nn.Module) -> torch.Tensor:
    x, y = batch()
    return F.cross_entropy(model(x), y)


# ----------------------------------------------------------------------------------- SG101


def test_sg101_fires_on_seed000_adam_with_weight_decay(tiny):
    opt = torch.optim.Adam(tiny.parameters(), lr=3e-4, weight_decay=1e-2)
    [f] = audit(tiny, opt).by_code("SG101")
    assert f.severity == Severity.ERROR
    assert f.data["groups"] == [{"group": 0, "weight_decay": 0.01, "params": 28}]
    assert "group 0 (weight_decay=0.01, 28 tensors)" in f.message
    assert "AdamW" in f.fix


def test_sg101_silent_on_adamw_with_param_groups(tiny):
    opt = torch.optim.AdamW(param_groups(tiny, weight_decay=1e-2), lr=3e-4)
    assert audit(tiny, opt).by_code("SG101") == []


def test_sg101_fires_on_seed003_adam_and_names_only_decaying_groups():
    model = MLP()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-2)
    [f] = audit(model, opt).by_code("SG101")
    assert f.data["groups"] == [{"group": 0, "weight_decay": 0.01, "params": 4}]

    groups = [
        {"params": [model.net[0].weight, model.net[2].weight], "weight_decay": 0.0},
        {"params": [model.net[0].bias, model.net[2].bias], "weight_decay": 0.1},
    ]
    [f] = audit(model, torch.optim.RMSprop(groups, lr=1e-3)).by_code("SG101")
    assert f.data["groups"] == [{"group": 1, "weight_decay": 0.1, "params": 2}]


@pytest.mark.parametrize(
    ("cls", "kwargs", "fires"),
    [
        (torch.optim.Adam, {"decoupled_weight_decay": True}, False),
        (torch.optim.NAdam, {}, True),
        (torch.optim.NAdam, {"decoupled_weight_decay": True}, False),
        (torch.optim.RAdam, {}, True),
        (torch.optim.RAdam, {"decoupled_weight_decay": True}, False),
        (torch.optim.Adamax, {}, True),
        (torch.optim.RMSprop, {}, True),
        (torch.optim.Adagrad, {}, True),
        (torch.optim.Adadelta, {}, True),
        (torch.optim.SGD, {"momentum": 0.9}, False),
        (torch.optim.AdamW, {}, False),
    ],
)
def test_sg101_honours_torch_decoupled_flags(cls, kwargs, fires):
    model = MLP()
    opt = cls(model.parameters(), lr=1e-3, weight_decay=0.05, **kwargs)
    assert len(audit(model, opt).by_code("SG101")) == int(fires)
    silent = cls(model.parameters(), lr=1e-3, weight_decay=0.0, **kwargs)
    assert audit(model, silent).by_code("SG101") == []


def test_sg101_fix_names_the_flag_where_torch_has_one():
    model = MLP()
    nadam = torch.optim.NAdam(model.parameters(), lr=1e-3, weight_decay=0.1)
    [f] = audit(model, nadam).by_code("SG101")
    assert f.fix.startswith("torch.optim.NAdam(") and "decoupled_weight_decay=True" in f.fix
    [f] = audit(model, torch.optim.Adamax(model.parameters(), weight_decay=0.1)).by_code("SG101")
    assert f.fix.startswith("torch.optim.AdamW(")


def test_sg101_on_torch_without_the_decoupled_flag():
    # torch versions before the flag existed: Adam is coupled, AdamW decoupled by type.
    model = MLP()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.1)
    adamw = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    for opt in (adam, adamw):
        for group in opt.param_groups:
            del group["decoupled_weight_decay"]
        del opt.defaults["decoupled_weight_decay"]
    assert len(audit(model, adam).by_code("SG101")) == 1
    assert audit(model, adamw).by_code("SG101") == []


def test_audit_unwraps_a_wrapped_optimizer():
    class LightningLikeOptimizer:  # holds the real optimizer, is not a torch Optimizer
        def __init__(self, optimizer: torch.optim.Optimizer) -> None:
            self._optimizer = optimizer

    model = MLP()
    wrapped = LightningLikeOptimizer(torch.optim.Adam(model.parameters(), weight_decay=0.1))
    report = audit(model, wrapped)
    assert report.summary["optimizer"] == "Adam"
    assert report.codes == ["SG101", "SG102"]


def _third_party(name: str, module: str, **attrs: object) -> type:
    def init(self: torch.optim.Optimizer, params: object, lr: float, weight_decay: float) -> None:
        torch.optim.Optimizer.__init__(self, params, {"lr": lr, "weight_decay": weight_decay})
        for k, v in attrs.items():
            setattr(self, k, v)

    return type(name, (torch.optim.Optimizer,), {"__init__": init, "__module__": module})


@pytest.mark.parametrize(
    ("name", "module", "attrs", "fires"),
    [
        ("FusedAdam", "apex.optimizers.fused_adam", {"adam_w_mode": 0}, True),
        ("FusedAdam", "apex.optimizers.fused_adam", {"adam_w_mode": 1}, False),
        ("DeepSpeedCPUAdam", "deepspeed.ops.adam.cpu_adam", {"adamw_mode": False}, True),
        ("Adam8bit", "bitsandbytes.optim.adam", {}, False),
        ("RMSprop8bit", "bitsandbytes.optim.rmsprop", {}, True),
        ("Adafactor", "transformers.optimization", {}, False),
        ("NAdamLegacy", "someone.optim", {}, True),
        ("Lion", "lion_pytorch", {}, False),
    ],
)
def test_sg101_recognises_other_libraries_adam_variants_by_name(name, module, attrs, fires):
    model = MLP()
    opt = _third_party(name, module, **attrs)(model.parameters(), lr=1e-3, weight_decay=0.01)
    assert len(audit(model, opt).by_code("SG101")) == int(fires)


# ----------------------------------------------------------------------------------- SG102


def test_sg102_fires_on_seed000_with_names_reasons_and_group(tiny):
    opt = torch.optim.Adam(tiny.parameters(), lr=3e-4, weight_decay=1e-2)
    [f] = audit(tiny, opt).by_code("SG102")
    assert f.data["group"] == 0
    assert f.data["by_reason"] == {"bias": 10, "norm": 8}
    names = {p["name"] for p in f.data["params"]}
    assert len(names) == 18
    assert {"enc.layers.0.norm1.weight", "enc.layers.1.norm2.bias", "head.bias"} <= names
    assert "enc.layers.0.self_attn.in_proj_bias" in names


def test_sg102_silent_on_param_groups(tiny):
    opt = torch.optim.AdamW(param_groups(tiny, weight_decay=1e-2), lr=3e-4)
    assert audit(tiny, opt).by_code("SG102") == []


def test_sg102_finds_in_proj_bias_that_the_seeds_name_filter_misses(tiny):
    # The seed's `n.endswith(".bias")` misses MultiheadAttention's `in_proj_bias`.
    opt = torch.optim.AdamW(seed_split_decay(tiny), lr=3e-4)
    [f] = audit(tiny, opt).by_code("SG102")
    assert [p["name"] for p in f.data["params"]] == [
        "enc.layers.0.self_attn.in_proj_bias",
        "enc.layers.1.self_attn.in_proj_bias",
    ]
    assert f.data["group"] == 0


def test_sg102_one_finding_per_decaying_group():
    model = MLP()
    groups = [
        {"params": [model.net[0].weight, model.net[0].bias], "weight_decay": 0.1},
        {"params": [model.net[2].weight], "weight_decay": 0.0},
        {"params": [model.net[2].bias], "weight_decay": 0.01},
    ]
    found = audit(model, torch.optim.AdamW(groups, lr=1e-3)).by_code("SG102")
    assert [(f.data["group"], [p["name"] for p in f.data["params"]]) for f in found] == [
        (0, ["net.0.bias"]),
        (2, ["net.2.bias"]),
    ]


def test_sg102_embedding_in_decay_group_is_reported_as_embedding():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 2, bias=False))
    [f] = audit(model, torch.optim.AdamW(model.parameters(), lr=1e-3)).by_code("SG102")
    assert f.data["params"][0]["name"] == "0.weight"
    assert f.data["params"][0]["reason"] == "embedding"


# ----------------------------------------------------------------------------------- SG103


def l2(model: nn.Module) -> torch.Tensor:
    return sum(p.pow(2).sum() for p in model.parameters())


def test_sg103_fires_on_explicit_l2_with_adamw_decay(tiny):
    opt = torch.optim.AdamW(param_groups(tiny, weight_decay=1e-2), lr=3e-4)
    loss = ce_loss(tiny) + 1e-4 * l2(tiny)
    [f] = audit(tiny, opt, loss=loss).by_code("SG103")
    # All 28 tensors are penalised; the 10 in the decaying group 0 are regularized twice.
    assert f.data["penalised_total"] == 28
    assert len(f.data["params"]) == 10
    assert {p["group"] for p in f.data["params"]} == {0}
    assert "enc.layers.0.linear1.weight" in {p["name"] for p in f.data["params"]}


def test_sg103_fires_on_seed000_adam_bug_plus_l2(tiny):
    opt = torch.optim.Adam(tiny.parameters(), lr=3e-4, weight_decay=1e-2)
    report = audit(tiny, opt, loss=ce_loss(tiny) + 1e-4 * l2(tiny))
    assert report.codes == ["SG101", "SG102", "SG103"]
    assert len(report.by_code("SG103")[0].data["params"]) == 28


def test_sg103_silent_on_plain_cross_entropy(tiny):
    opt = torch.optim.Adam(tiny.parameters(), lr=3e-4, weight_decay=1e-2)
    report = audit(tiny, opt, loss=ce_loss(tiny))
    assert report.by_code("SG103") == []
    assert report.summary["norm-penalised tensors (loss)"] == 0


def test_sg103_silent_when_penalised_params_are_not_decayed(tiny):
    # Adam without weight decay plus an explicit L2 term is legitimate L2 regularization.
    opt = torch.optim.Adam(tiny.parameters(), lr=3e-4, weight_decay=0.0)
    report = audit(tiny, opt, loss=ce_loss(tiny) + 1e-4 * l2(tiny))
    assert report.by_code("SG103") == []
    assert report.summary["norm-penalised tensors (loss)"] == 28


@pytest.mark.parametrize(
    ("penalty", "op"),
    [
        (lambda ps: sum(p.norm(2) ** 2 for p in ps), "norm"),
        (lambda ps: sum(torch.linalg.vector_norm(p) for p in ps), "norm"),
        (lambda ps: sum((p * p).sum() for p in ps), "p * p"),
        (lambda ps: sum(p.square().mean() for p in ps), "pow(2)"),
        (lambda ps: nn.utils.parameters_to_vector(ps).pow(2).sum(), "pow(2)"),
        (lambda ps: sum(p.abs().sum() for p in ps), "abs"),
    ],
)
def test_sg103_recognises_penalty_spellings(penalty, op):
    model = MLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)
    x, y = torch.randn(4, 20), torch.tensor([0, 1, 0, 1])
    loss = F.cross_entropy(model(x), y) + 1e-4 * penalty(list(model.parameters()))
    [f] = audit(model, opt, loss=loss).by_code("SG103")
    assert [p["name"] for p in f.data["params"]] == [
        "net.0.weight",
        "net.0.bias",
        "net.2.weight",
        "net.2.bias",
    ]
    assert {p["penalty"] for p in f.data["params"]} == {op}


def test_sg103_silent_on_forward_uses_of_norms_and_activation_penalties():
    torch.manual_seed(0)
    model = nn.Sequential(weight_norm(nn.Linear(20, 8)), nn.ReLU(), nn.Linear(8, 2))
    cosine = nn.Parameter(torch.randn(2, 8))
    opt = torch.optim.AdamW([*model.parameters(), cosine], lr=1e-3, weight_decay=0.1)
    x, y = torch.randn(4, 20), torch.tensor([0, 1, 0, 1])
    hidden = model[1](model[0](x))
    logits = F.normalize(hidden, dim=1) @ F.normalize(cosine, dim=1).t() + model(x)
    loss = F.cross_entropy(logits, y) + 1e-3 * hidden.pow(2).mean()
    assert audit(model, opt, loss=loss).by_code("SG103") == []


def test_sg103_silent_on_learned_loss_weights_and_non_quadratic_terms():
    model = MLP()
    sigma = nn.Parameter(torch.tensor(1.0))  # uncertainty weighting: ce / (2 sigma^2) + log sigma
    gate = nn.Parameter(torch.ones(3))
    opt = torch.optim.AdamW([*model.parameters(), sigma, gate], lr=1e-3, weight_decay=0.1)
    ce = F.cross_entropy(model(torch.randn(4, 20)), torch.tensor([0, 1, 0, 1]))
    loss = ce / (2 * sigma**2) + torch.log(sigma) + 0.1 * gate.pow(0.5).sum()
    report = audit(model, opt, loss=loss)
    assert report.by_code("SG103") == []
    assert report.summary["norm-penalised tensors (loss)"] == 0
    scaled = ce * sigma**2  # a learned scale multiplying the loss
    inverse = ce + torch.tensor(1e-3) / sigma**2  # grows as sigma shrinks: not a decay penalty
    linear = ce + (gate * torch.tensor([1.0, 2.0, 3.0])).sum()
    for other in (scaled, inverse, linear):
        assert audit(model, opt, loss=other).summary["norm-penalised tensors (loss)"] == 0
    # The same sigma added as a quadratic term is a penalty (on a tensor outside the model).
    [f] = audit(model, opt, loss=loss + 1e-3 * sigma**2).by_code("SG103")
    assert f.data["params"] == [
        {"name": "<not in model>", "group": 0, "weight_decay": 0.1, "penalty": "pow(2)"}
    ]


def test_audit_reads_the_loss_graph_without_consuming_it():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    loss = F.cross_entropy(model(torch.randn(4, 20)), torch.tensor([0, 1, 0, 1]))
    loss = loss + 1e-4 * l2(model)
    audit(model, opt, loss=loss)
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


# ----------------------------------------------------------------------------------- SG104


def test_sg104_trainable_params_missing_from_optimizer(tiny):
    opt = torch.optim.AdamW(tiny.enc.parameters(), lr=1e-3)
    [f] = audit(tiny, opt).by_code("SG104")
    assert f.data["kind"] == "missing"
    assert f.data["params"] == ["embed.weight", "embed.bias", "head.weight", "head.bias"]
    assert f.data["numel"] == 4 * 128 + 128 + 128 * 5 + 5


def test_sg104_frozen_params_inside_optimizer():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.net[0].requires_grad_(False)
    [f] = audit(model, opt).by_code("SG104")
    assert f.data["kind"] == "frozen"
    assert f.data["params"] == [
        {"name": "net.0.weight", "group": 0},
        {"name": "net.0.bias", "group": 0},
    ]


def test_sg104_optimizer_params_of_another_model_instance():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    rebuilt = copy.deepcopy(model)
    kinds = sorted(f.data["kind"] for f in audit(rebuilt, opt).by_code("SG104"))
    assert kinds == ["foreign", "missing"]
    [foreign] = [f for f in audit(rebuilt, opt).by_code("SG104") if f.data["kind"] == "foreign"]
    assert [p["shape"] for p in foreign.data["params"]] == [[128, 20], [128], [2, 128], [2]]


def test_sg104_with_uninitialized_lazy_parameters():
    model = nn.Sequential(nn.LazyLinear(4), nn.LayerNorm(4), nn.Linear(4, 2))
    opt = torch.optim.AdamW(model[2].parameters(), lr=1e-3)
    [f] = audit(model, opt).by_code("SG104")
    assert f.data["params"] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert f.data["numel"] == 8  # the lazy tensors have no size yet


def test_sg104_empty_no_decay_group_while_decay_is_on():
    model = MLP()
    # A name filter for "LayerNorm"/"bias" keys that this model does not use: nothing matched.
    groups = [
        {"params": list(model.parameters()), "weight_decay": 0.01},
        {"params": [], "weight_decay": 0.0},
    ]
    report = audit(model, torch.optim.AdamW(groups, lr=1e-3))
    [f] = report.by_code("SG104")
    assert f.data == {"kind": "empty-no-decay-group", "groups": ["group 1"]}
    assert f.message.startswith("no-decay group 1 (weight_decay=0) holds no tensors while 2 ")
    # The misplaced tensors are named once, by SG102.
    assert [p["name"] for p in report.by_code("SG102")[0].data["params"]] == [
        "net.0.bias",
        "net.2.bias",
    ]


def test_sg104_silent_on_param_groups(tiny):
    opt = torch.optim.AdamW(param_groups(tiny, weight_decay=0.01), lr=1e-3)
    assert audit(tiny, opt).by_code("SG104") == []


def test_hybrid_muon_plus_adamw_is_audited_as_one_setup(tiny):
    from stepguard.groups import muon_param_groups

    muon_groups, adamw_groups = muon_param_groups(tiny, weight_decay=0.1)
    muon = torch.optim.Muon(muon_groups, lr=0.02)
    adamw = torch.optim.AdamW(adamw_groups, lr=3e-4)
    assert audit(tiny, adamw).by_code("SG104")[0].data["kind"] == "missing"  # half the picture
    report = audit(tiny, [muon, adamw], total_steps=10_000)
    assert report.codes == []
    assert report.summary["optimizer"] == "Muon, AdamW"

    # The same tensors given to both optimizers are updated twice.
    both = torch.optim.AdamW(tiny.parameters(), lr=3e-4, weight_decay=0.0)
    [f] = audit(tiny, [muon, both]).by_code("SG104")
    assert f.data["kind"] == "duplicate"
    assert len(f.data["params"]) == len(muon_groups[0]["params"])
    assert f.data["params"][0]["in"] == "optimizer 0 (Muon) group 0 and optimizer 1 (AdamW) group 0"


def test_sg104_silent_when_frozen_params_are_left_out():
    model = MLP()
    model.net[0].requires_grad_(False)
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.01), lr=1e-3)
    assert len(audit(model, opt)) == 0


# ----------------------------------------------------------------------------------- SG105


def test_sg105_warns_when_timescale_is_far_shorter_than_the_run():
    model = MLP()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=10.0), lr=1e-3)
    [f] = audit(model, opt, total_steps=100_000).by_code("SG105")
    assert f.severity == Severity.WARNING
    assert f.data["group"] == 0
    assert f.data["tau_steps"] == pytest.approx(100.0)
    assert f.data["ratio"] == pytest.approx(1e-3)
    assert f.data["suggested_tau_steps"] == 33_333
    assert f.data["suggested_weight_decay"] == weight_decay_for_timescale(33_333, 1e-3)


def _advice_value(fix: str) -> tuple[float, str]:
    """Run the advice `weight_decay = weight_decay_for_timescale(...)  # = X`: (value, X)."""
    code, printed = fix.split("  # = ")
    namespace = {"weight_decay_for_timescale": weight_decay_for_timescale}
    exec(code, namespace)
    return namespace["weight_decay"], printed


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=10.0),
        lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.5),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.5),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.5),
        lambda ps: torch.optim.SGD(ps, lr=1 / 3, momentum=0.95, dampening=0.1, weight_decay=2.0),
        lambda ps: torch.optim.NAdam(ps, lr=1e-3, weight_decay=10.0, decoupled_weight_decay=True),
    ],
)
def test_sg105_advice_prints_the_value_its_call_returns(make):
    # The advice is a call: running it gives the value it prints, and the value in `data`, which
    # gives the group a timescale of a third of the run under the optimizer's own decay rate.
    model = MLP()
    opt = make(model.parameters())
    [f] = audit(model, opt, total_steps=100_000).by_code("SG105")
    value, printed = _advice_value(f.fix)
    assert value == f.data["suggested_weight_decay"]
    assert printed == f"{value:.3g}"
    fixed = copy.deepcopy(opt.param_groups[0])
    fixed["weight_decay"] = value
    fixed_opt = type(opt)([{**fixed, "params": list(model.parameters())}])
    assert audit(model, fixed_opt, total_steps=100_000).by_code("SG105") == []
    # tau scales as 1 / wd: the advised wd moves tau to the advised 33,333 steps
    assert f.data["tau_steps"] * opt.param_groups[0]["weight_decay"] == pytest.approx(
        33_333 * value, rel=1e-12
    )


def test_sg105_sgd_momentum_advice_is_ten_times_smaller_than_the_plain_sgd_advice():
    # The reproducer printed 0.0003 for a call that returns 0.0030.
    model = MLP()
    plain = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.5)
    heavy = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.5)
    [p] = audit(model, plain, total_steps=10_000).by_code("SG105")
    [m] = audit(model, heavy, total_steps=10_000).by_code("SG105")
    assert "lr=0.1 / (1 - 0.9)" in m.fix
    assert m.data["suggested_weight_decay"] == pytest.approx(
        p.data["suggested_weight_decay"] / 10, rel=1e-12
    )
    assert _advice_value(m.fix)[1] == "0.0003"


@pytest.mark.parametrize(
    ("momentum", "dampening"), [(0.9, 1.0), (0.9, 1.5), (1.0, 0.0), (1.5, 0.0)]
)
def test_sg105_skips_sgd_whose_momentum_has_no_steady_state(momentum, dampening):
    # dampening=1 lets nothing into the momentum buffer after step 1; momentum>=1 never forgets:
    # no decay timescale to judge (this raised ZeroDivisionError).
    model = MLP()
    sgd = torch.optim.SGD(
        model.parameters(), lr=0.1, momentum=momentum, dampening=dampening, weight_decay=0.5
    )
    report = audit(model, sgd, total_steps=100)
    assert report.by_code("SG105") == []
    assert report.summary["total_steps"] == 100


def test_sg105_info_when_decay_does_nothing_over_a_long_run():
    # 100k steps at lr 1e-3, wd 1e-4: tau = 1e7 steps, 100 runs; the advice (wd 0.03) is sane.
    model = MLP()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=1e-4), lr=1e-3)
    [f] = audit(model, opt, total_steps=100_000, steps_per_epoch=1_000).by_code("SG105")
    assert f.severity == Severity.INFO
    assert f.data["tau_steps"] == pytest.approx(1e7)
    assert f.data["ratio"] == pytest.approx(100.0)
    assert f.data["suggested_weight_decay"] == pytest.approx(0.03, rel=1e-4)
    assert "(1e+04 epochs)" in f.message


@pytest.mark.parametrize(
    ("lr", "wd", "total"),
    [
        (3e-4, 1e-2, 460),  # seed 000's fix: advice would be weight_decay = 21.7
        (1e-3, 1e-2, 100),  # a toy run: advice would be weight_decay = 30
        (1e-5, 1e-3, 30_000),  # a long fine-tune at a small lr: advice would be 10
        (1e-3, 1e-4, 2_000),  # 2,000 steps: advice 1.5, a per-step decay of 1.5e-3
    ],
)
def test_sg105_info_silent_when_its_advice_would_not_be_sane(tiny, lr, wd, total):
    opt = torch.optim.AdamW(param_groups(tiny, weight_decay=wd), lr=lr)
    assert audit(tiny, opt, total_steps=total).by_code("SG105") == []
    # the warning side still speaks on short runs
    loud = torch.optim.AdamW(param_groups(tiny, weight_decay=1e4 / total / lr), lr=lr)
    [f] = audit(tiny, loud, total_steps=total).by_code("SG105")
    assert f.severity == Severity.WARNING


def test_sg105_silent_with_weight_decay_for_a_third_of_the_run():
    model = MLP()
    wd = weight_decay_for_timescale(tau_steps=100_000 / 3, lr=1e-3)
    opt = torch.optim.AdamW(param_groups(model, weight_decay=wd), lr=1e-3)
    assert audit(model, opt, total_steps=100_000).by_code("SG105") == []
    loud = torch.optim.AdamW(param_groups(model, weight_decay=10.0), lr=1e-3)
    assert audit(model, loud).by_code("SG105") == []  # no total_steps: no SG105


def test_sg105_uses_peak_lr_under_warmup_and_sgd_momentum():
    model = MLP()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=10.0), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.0)  # warmup starts at lr 0
    [f] = audit(model, opt, scheduler=sched, total_steps=100_000).by_code("SG105")
    assert f.data["tau_steps"] == pytest.approx(100.0)

    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.5)
    [f] = audit(model, sgd, total_steps=10_000).by_code("SG105")
    assert f.data["tau_steps"] == pytest.approx((1 - 0.9) / (0.1 * 0.5))


def test_sg105_skips_coupled_groups():
    model = MLP()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=10.0)
    assert audit(model, opt, total_steps=100_000).codes == ["SG101", "SG102"]


# ----------------------------------------------------------------------------------- SG205


def _seed003(schedule_steps: int) -> tuple[nn.Module, torch.optim.Optimizer, object]:
    from transformers import get_cosine_schedule_with_warmup

    model = MLP()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=1e-2), lr=3e-3)
    return model, opt, get_cosine_schedule_with_warmup(opt, 50, schedule_steps)


def test_sg205_schedule_counted_in_micro_batches_seed003():
    # 300 updates of 8 micro-batches; the schedule was sized for the 2400 micro-batches.
    model, opt, sched = _seed003(2400)
    [f] = audit(model, opt, scheduler=sched, total_steps=300, accum_steps=8).by_code("SG205")
    assert f.data == {"schedule_steps": 2400, "total_steps": 300, "accum_steps": 8}
    assert "num_training_steps=2400" in f.message


def test_sg205_silent_when_schedule_is_sized_in_optimizer_steps():
    model, opt, sched = _seed003(300)
    report = audit(model, opt, scheduler=sched, total_steps=300, accum_steps=8)
    assert report.by_code("SG205") == []
    assert report.summary["schedule length"] == 300


@pytest.mark.parametrize(
    ("make", "fires"),
    [
        (lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=2400), True),
        (lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1e-2, total_steps=2400), True),
        (lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1e-2, total_steps=300), False),
        (lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=2400), True),
        (
            lambda o: torch.optim.lr_scheduler.SequentialLR(
                o,
                [
                    torch.optim.lr_scheduler.LinearLR(o, 0.01, 1.0, total_iters=50),
                    torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=2350),
                ],
                milestones=[50],
            ),
            True,
        ),
        (lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1.0), False),
        (lambda o: {"scheduler": torch.optim.lr_scheduler.CosineAnnealingLR(o, 2400)}, True),
    ],
)
def test_sg205_reads_torch_schedulers(make, fires):
    model = MLP()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=1e-2), lr=3e-3)
    report = audit(model, opt, scheduler=make(opt), total_steps=300, accum_steps=8)
    assert len(report.by_code("SG205")) == int(fires)


def test_sg205_needs_accumulation_to_judge():
    model, opt, sched = _seed003(2400)
    assert audit(model, opt, scheduler=sched, total_steps=300).by_code("SG205") == []


# ----------------------------------------------------------------------------------- Report


def test_report_prints_converts_and_raises(tiny):
    opt = torch.optim.Adam(tiny.parameters(), lr=3e-4, weight_decay=1e-2)
    report = audit(tiny, opt)
    text = str(report)
    assert text.startswith("stepguard audit: TinyTransformer")
    assert "SG101  error" in text and "SG102  warning" in text
    data = json.loads(report.to_json())
    assert [f["code"] for f in data["findings"]] == ["SG101", "SG102"]
    assert data["summary"]["groups"] == ["0: weight_decay=0.01 lr=0.0003 tensors=28 decay=coupled"]
    with pytest.raises(FindingsError, match="2 finding"):
        report.raise_on("warning")
    fixed = torch.optim.AdamW(param_groups(tiny, weight_decay=1e-2), lr=3e-4)
    assert audit(tiny, fixed).raise_on("info").codes == []


def test_audit_looks_through_compile_and_dataparallel_wrappers():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    for wrapped in (nn.DataParallel(model), torch.compile(model)):
        [f] = audit(wrapped, opt).by_code("SG102")
        assert [p["name"] for p in f.data["params"]] == ["net.0.bias", "net.2.bias"]


def test_stepguard_audit_is_the_function_whatever_the_import_order():
    import subprocess
    import sys

    code = (
        "import stepguard.auditing._audit, stepguard.auditing, stepguard, inspect; "
        "print(inspect.isfunction(stepguard.audit))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


# ----------------------------------------------------------------------------------- bad input


def test_bad_input_model_not_a_module():
    opt = torch.optim.AdamW(MLP().parameters())
    with pytest.raises(TypeError, match=r"torch\.nn\.Module, got generator"):
        audit(MLP().parameters(), opt)


def test_bad_input_optimizer_not_a_torch_optimizer():
    model = MLP()
    with pytest.raises(TypeError, match=r"torch\.optim\.Optimizer, got dict"):
        audit(model, param_groups(model, weight_decay=0.1)[0])
    with pytest.raises(TypeError, match=r"got a list of dict, dict; pass the optimizer object"):
        audit(model, param_groups(model, weight_decay=0.1))


def test_bad_input_model_without_trainable_parameters():
    model = MLP().requires_grad_(False)
    opt = torch.optim.AdamW(MLP().parameters())
    with pytest.raises(ValueError, match=r"MLP has no trainable parameters \(4 tensors"):
        audit(model, opt)


def test_bad_input_parameters_on_meta_device():
    with torch.device("meta"):
        model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    with pytest.raises(ValueError, match=r"4 parameter\(s\) are on the meta device \(net.0.weight"):
        audit(model, opt)
    [f] = audit(model, opt, allow_meta=True).by_code("SG102")
    assert len(f.data["params"]) == 2


def test_bad_input_loss_not_a_scalar_tensor():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters())
    out = model(torch.randn(4, 20))
    with pytest.raises(ValueError, match=r"scalar tensor, got shape \(4, 2\)"):
        audit(model, opt, loss=out)
    with pytest.raises(TypeError, match=r"got float; pass `loss`, not `loss.item\(\)`"):
        audit(model, opt, loss=out.sum().item())
    with pytest.raises(ValueError, match="no autograd graph"):
        audit(model, opt, loss=out.sum().detach())


def test_bad_input_run_lengths():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters())
    with pytest.raises(ValueError, match="accum_steps must be an integer >= 1, got 0"):
        audit(model, opt, accum_steps=0)
    with pytest.raises(ValueError, match=r"total_steps must be an integer >= 1, got 10\.5"):
        audit(model, opt, total_steps=10.5)
    with pytest.raises(ValueError, match=r"tau_band must be \(low, high\)"):
        audit(model, opt, total_steps=10, tau_band=(10.0, 0.01))
    with pytest.raises(TypeError, match=r"tau_band must be a pair of numbers"):
        audit(model, opt, total_steps=10, tau_band=None)
    assert audit(model, opt, total_steps=10).summary["total_steps"] == 10


def test_bad_input_scheduler_that_is_not_a_scheduler_or_drives_another_optimizer():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    with pytest.raises(TypeError, match=r"scheduler must be a learning-rate scheduler.*got str"):
        audit(model, opt, scheduler="cos", total_steps=100)
    with pytest.raises(TypeError, match=r"scheduler must be .*got type"):
        audit(model, opt, scheduler=torch.optim.lr_scheduler.CosineAnnealingLR)
    stale = torch.optim.AdamW(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(stale, T_max=100)
    with pytest.raises(ValueError, match=r"drives another AdamW, not the optimizer being audited"):
        audit(model, opt, scheduler=sched, total_steps=100)
    with pytest.raises(ValueError, match=r"drives another"):
        audit(model, opt, scheduler={"scheduler": sched, "interval": "step"})
    own = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    assert audit(model, opt, scheduler=own, total_steps=100).summary["schedule length"] == 100
    assert audit(model, [stale, opt], scheduler=sched).summary["schedule length"] == 100


def test_bad_input_param_group_values():
    model = MLP()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    opt.param_groups[0]["lr"] = float("nan")
    with pytest.raises(ValueError, match=r"group 0 has lr=nan.*set a finite lr >= 0"):
        audit(model, opt, total_steps=100)
    opt.param_groups[0]["lr"] = 1e-3
    opt.param_groups[0]["weight_decay"] = -0.1
    with pytest.raises(ValueError, match=r"group 0 has weight_decay=-0.1"):
        audit(model, opt)
    opt.param_groups[0]["weight_decay"] = "lots"
    with pytest.raises(TypeError, match=r"group 0 has weight_decay='lots', not a number"):
        audit(model, opt)
    opt.param_groups[0]["weight_decay"] = torch.tensor(0.1)
    assert audit(model, opt).summary["groups"][0].startswith("0: weight_decay=0.1 ")
