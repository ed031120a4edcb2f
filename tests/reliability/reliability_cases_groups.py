"""Reliability cases for parameter groups: bad arguments, role by use, and models left unchanged."""

from __future__ import annotations

import random
import warnings
from collections import UserDict
from typing import Any

import torch
from reliability_harness import Case
from torch import nn

from stepguard.groups import classify, muon_param_groups, param_groups


class LM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(16, 8)
        self.body = nn.Linear(8, 8)
        self.norm = nn.LayerNorm(8)
        self.lm_head = nn.Linear(8, 16, bias=False)

    def forward(self, ids: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        return self.lm_head(self.norm(self.body(self.emb(ids)))) * scale


class BN(nn.Module):
    """BatchNorm (statistics), dropout (RNG), a counter buffer written in place."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5)
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.steps += 1
        if x.sum().item() > 1e9:  # data-dependent: the meta forward fails, a real one runs
            return x
        return self.drop(self.bn(self.fc(x)))


IDS = torch.randint(0, 16, (2, 5))


def _meta_lm() -> nn.Module:
    with torch.device("meta"):
        return BN()


def _names(groups: list[dict[str, Any]]) -> list[list[str]]:
    return [list(g["param_names"]) for g in groups]


def _same_groups_as_no_patterns() -> bool | str:
    got = _names(param_groups(LM(), 0.1, patterns=None, with_names=True))
    want = _names(param_groups(LM(), 0.1, with_names=True))
    return got == want or f"{got} != {want}"


def _unchanged_after_use(data_dependent: bool) -> bool | str:
    torch.manual_seed(0)
    model = BN().train()
    x = torch.randn(6, 4)
    if not data_dependent:  # the same model without the value-reading branch: runs on meta
        model.forward = lambda x: model.drop(model.bn(model.fc(x)))  # type: ignore[method-assign]
    model(x).sum().backward()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    rng, py = torch.get_rng_state(), random.getstate()
    classify(model, example_inputs=x)
    if not all(torch.equal(v, state[k]) for k, v in model.state_dict().items()):
        return "a buffer or parameter changed"
    if not all(torch.equal(a, p.grad) for a, p in zip(grads, model.parameters(), strict=True)):
        return "a gradient changed"
    if not (model.training and model.bn.training and model.drop.training):
        return "a training flag changed"
    if not torch.equal(torch.get_rng_state(), rng) or random.getstate() != py:
        return "the random state changed"
    return True


def _decisions(model: nn.Module, inputs: object) -> dict[str, tuple[bool, str]]:
    return {d.name: (d.decay, d.reason) for d in classify(model, example_inputs=inputs)}


def _weight_norm_decisions() -> bool | str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(nn.Linear(4, 4))
    model = nn.Sequential(nn.utils.parametrizations.weight_norm(nn.Linear(4, 4)), old)
    got = _decisions(model, torch.randn(2, 4))
    want = {
        "0.bias": (False, "bias"),
        "0.parametrizations.weight.original0": (False, "norm"),
        "0.parametrizations.weight.original1": (True, "default"),
        "1.bias": (False, "bias"),
        "1.weight_g": (False, "norm"),
        "1.weight_v": (True, "default"),
    }
    if got != want:
        return f"{got}"
    return True if not old.weight.is_meta else "the recomputed weight was left on meta"


def _tied_once_by_use() -> bool | str:
    model = LM()
    model.lm_head.weight = model.emb.weight
    decisions = classify(model, example_inputs=IDS)
    tied = [d for d in decisions if d.param is model.emb.weight]
    if len(tied) != 1 or tied[0].names != ("emb.weight", "lm_head.weight"):
        return f"tied tensor decided {len(tied)} times: {[d.names for d in tied]}"
    return (tied[0].reason == "embedding" and not tied[0].decay) or f"{tied[0]}"


def _input_forms() -> bool | str:
    want = _decisions(LM(), IDS)
    forms: dict[str, object] = {
        "tuple": (IDS, 2.0),
        "list": [IDS],
        "dict": {"ids": IDS},
        "UserDict": UserDict({"ids": IDS}),
        "callable": lambda m: m(torch.randint(0, 16, (1, 3))),
    }
    for name, inputs in forms.items():
        got = _decisions(LM(), inputs)
        if got != want:
            return f"{name}: {got} != {want}"
    return True


def _frozen_left_out() -> bool | str:
    model = LM()
    model.body.requires_grad_(False)
    got = _decisions(model, IDS)
    return ("body.weight" not in got and len(got) == 4) or f"{sorted(got)}"


def _muon_with_use() -> bool | str:
    model = LM()
    muon, adamw = muon_param_groups(model, 0.1, example_inputs=IDS, with_names=True)
    names = _names(muon), _names(adamw)
    want = (
        [["body.weight"]],
        [["lm_head.weight"], ["emb.weight", "body.bias", "norm.weight", "norm.bias"]],
    )
    return names == want or f"{names}"


class Experts(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.router = nn.Linear(4, 3, bias=False)
        self.w = nn.Parameter(torch.randn(3, 4, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        chosen = self.router(x).argmax(-1)
        out = torch.zeros_like(x)
        for e in chosen.unique().tolist():  # needs values: runs for real after the meta attempt
            mask = chosen == e
            out[mask] = x[mask] @ self.w[e]
        return out


def _moe_real_forward() -> bool | str:
    got = _decisions(Experts(), torch.randn(5, 4))
    return got == {"router.weight": (True, "default"), "w": (True, "default")} or f"{got}"


CASES = [
    Case(
        "groups",
        "muon_param_groups(model, 0.1, head=['lm_head']) (a module name, not a tensor glob)",
        lambda: muon_param_groups(LM(), 0.1, head=["lm_head"]),
        match=r"head pattern\(s\) \['lm_head'\] match no trainable parameter \('lm_head' names "
        r"a module: write 'lm_head\.\*'",
    ),
    Case(
        "groups",
        "muon_param_groups(model, 0.1, head=['decoder.out.*']) (no such tensor)",
        lambda: muon_param_groups(LM(), 0.1, head=["decoder.out.*"]),
        match=r"head pattern\(s\) \['decoder\.out\.\*'\] match no trainable parameter;",
    ),
    Case(
        "groups",
        "muon_param_groups(model, 0.1, head='lm_head.*') (a string)",
        lambda: muon_param_groups(LM(), 0.1, head="lm_head.*"),
        match=r"head must be a collection of glob patterns.*write head=\['lm_head\.\*'\]",
    ),
    Case(
        "groups",
        "muon_param_groups(model, 0.1, head=[''])",
        lambda: muon_param_groups(LM(), 0.1, head=[""]),
        match=r"head must hold non-empty strings",
    ),
    Case(
        "groups",
        "param_groups(m, 0.1, patterns=None) (same as no patterns)",
        _same_groups_as_no_patterns,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "param_groups(m, 0.1, patterns=5)",
        lambda: param_groups(LM(), 0.1, patterns=5),  # type: ignore[arg-type]
        match=r"patterns must be a collection of glob patterns such as \['\*\.scale'\]",
    ),
    Case(
        "groups",
        "param_groups(m, 0.1, patterns=[None])",
        lambda: param_groups(LM(), 0.1, patterns=[None]),  # type: ignore[list-item]
        match=r"patterns must hold non-empty strings",
    ),
    Case(
        "groups",
        "classify(m, example_inputs='some text')",
        lambda: classify(LM(), example_inputs="some text"),  # type: ignore[arg-type]
        errors=(TypeError,),
        match=r"example_inputs: got str; pass a tensor",
    ),
    Case(
        "groups",
        "classify(m, example_inputs=m)",
        lambda: classify(LM(), example_inputs=LM()),  # type: ignore[arg-type]
        errors=(TypeError,),
        match=r"example_inputs must be the model's inputs, not a module",
    ),
    Case(
        "groups",
        "classify(m, example_inputs=ids out of the vocabulary) (meta reads no values)",
        lambda: _decisions(LM(), torch.full((2, 3), 99)) == _decisions(LM(), IDS),
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "classify(m, example_inputs=wrong shape)",
        lambda: classify(BN(), example_inputs=torch.randn(2, 5)),
        errors=(ValueError,),
        match=r"example_inputs: one forward of BN failed: RuntimeError",
    ),
    Case(
        "groups",
        "classify(m, example_inputs=callable that raises)",
        lambda: classify(LM(), example_inputs=lambda m: m(undefined)),  # type: ignore[name-defined]  # noqa: F821
        errors=(ValueError,),
        match=r"example_inputs: one forward of LM failed: NameError",
    ),
    Case(
        "groups",
        "classify(meta model whose forward needs values, example_inputs=...)",
        lambda: classify(_meta_lm(), example_inputs=torch.randn(6, 4)),
        errors=(ValueError,),
        match=r"on the meta device failed .*cannot run for real either",
    ),
    Case(
        "groups",
        "param_groups(meta model, 0.1, example_inputs=...) (refused before any forward)",
        lambda: param_groups(_meta_lm(), 0.1, example_inputs=torch.randn(6, 4)),
        errors=(ValueError,),
        match=r"parameter\(s\) are on the meta device .*materialise the model first",
    ),
    Case(
        "groups",
        "classify(nn.LazyLinear(3), example_inputs=...)",
        lambda: classify(nn.LazyLinear(3), example_inputs=torch.randn(2, 4)),
        errors=(ValueError,),
        match=r"lazy parameter\(s\) are not initialised yet.*run one forward",
    ),
    Case(
        "groups",
        "param_groups(m, 0.1, overrides={'x.*': 1}, example_inputs=...) (checked before the forward)",
        lambda: param_groups(LM(), 0.1, overrides={"x.*": 1}, example_inputs=IDS),  # type: ignore[dict-item]
        errors=(TypeError,),
        match=r"overrides\['x\.\*'\] must be a dict of group options",
    ),
    Case(
        "groups",
        "classify(train-mode BatchNorm/dropout model, example_inputs=...) leaves it unchanged",
        lambda: _unchanged_after_use(False),
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    Case(
        "groups",
        "classify(data-dependent model, example_inputs=...) (real forward) leaves it unchanged",
        lambda: _unchanged_after_use(True),
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    Case(
        "groups",
        "classify(weight-normed layers (both APIs), example_inputs=...)",
        _weight_norm_decisions,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "classify(tied embedding and head, example_inputs=...) decides the tensor once",
        _tied_once_by_use,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "example_inputs as tuple / list / dict / UserDict / callable",
        _input_forms,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "classify(partly frozen model, example_inputs=...) leaves frozen tensors out",
        _frozen_left_out,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "muon_param_groups(model, 0.1, example_inputs=...)",
        _muon_with_use,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "groups",
        "classify(router loop with .tolist(), example_inputs=...) (real forward)",
        _moe_real_forward,
        expect="ok",
        check=lambda v: v,
    ),
]
