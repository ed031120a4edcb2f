"""Reliability cases for parameter groups (`param_groups`, `classify`, `muon_param_groups`,
`summarize_groups`), written by the safety helper: inputs a new user tries. The groups package is
another helper's area; cases that fail here are routed to it."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from reliability_harness import Case
from reliability_models import adamw, frozen, meta, net
from torch import nn

from stepguard import classify, muon_param_groups, param_groups, summarize_groups


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("groups", name, run, match=match, **kw)


def OK(name: str, run: Callable[[], Any], check: Callable[[Any], bool | str] | None = None) -> Case:
    return Case("groups", name, run, expect="ok", check=check)


class LM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wte = nn.Embedding(16, 8)
        self.block = nn.Linear(8, 8)
        self.ln_f = nn.LayerNorm(8)
        self.lm_head = nn.Linear(8, 16, bias=False)


def _muon_head_names(head: list[str]) -> set[str]:
    model = LM()
    muon, _ = muon_param_groups(model, 0.1, head=head)
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)] for g in muon for p in g["params"]}


def _groups_without_patterns() -> bool | str:
    """patterns=None gives the groups of a call without patterns (same tensors, same decay)."""
    model = net()
    ids = lambda gs: [([id(p) for p in g["params"]], g["weight_decay"]) for g in gs]  # noqa: E731
    same = ids(param_groups(model, 0.1, patterns=None)) == ids(param_groups(model, 0.1))
    return same or "patterns=None differs from no patterns"


def _decisions_without_patterns() -> bool | str:
    model = net()
    rows = lambda ds: [(d.names, d.decay, d.reason) for d in ds]  # noqa: E731
    same = rows(classify(model, patterns=None)) == rows(classify(model))
    return same or "patterns=None differs from no patterns"


CASES = [
    E(
        "param_groups(None, 0.1)",
        lambda: param_groups(None, 0.1),
        r"needs a torch\.nn\.Module, got NoneType",
    ),
    E(
        "param_groups(model.parameters(), 0.1)",
        lambda: param_groups(net().parameters(), 0.1),
        r"got generator",
    ),
    E(
        "param_groups(model, None)",
        lambda: param_groups(net(), None),
        r"weight_decay must be a real number",
    ),
    E(
        "param_groups(model, '0.1')",
        lambda: param_groups(net(), "0.1"),
        r"weight_decay must be a real number",
    ),
    E(
        "param_groups(model, nan)",
        lambda: param_groups(net(), math.nan),
        r"weight_decay must be a finite number >= 0",
    ),
    E(
        "param_groups(model, inf)",
        lambda: param_groups(net(), math.inf),
        r"weight_decay must be a finite number >= 0",
    ),
    E(
        "param_groups(model, -0.1)",
        lambda: param_groups(net(), -0.1),
        r"weight_decay must be a finite number >= 0",
    ),
    E(
        "param_groups(model, True)",
        lambda: param_groups(net(), True),
        r"weight_decay must be a real number",
    ),
    OK(  # None means "no patterns", as overrides=None does (documented)
        "param_groups(model, 0.1, patterns=None): no patterns",
        _groups_without_patterns,
        lambda v: v,
    ),
    E(
        "param_groups(model, 0.1, patterns='bias')",
        lambda: param_groups(net(), 0.1, patterns="bias"),
        r"not the string 'bias'",
    ),
    E(
        "param_groups(model, 0.1, patterns=[''])",
        lambda: param_groups(net(), 0.1, patterns=[""]),
        r"non-empty strings",
    ),
    E(
        "param_groups(model, 0.1, no_decay=None)",
        lambda: param_groups(net(), 0.1, no_decay=None),
        r"no_decay",
    ),
    E(
        "param_groups(model, 0.1, no_decay={'bogus'})",
        lambda: param_groups(net(), 0.1, no_decay={"bogus"}),
        r"unknown no_decay categories \['bogus'\]",
    ),
    E(
        "param_groups(model, 0.1, no_decay='bias')",
        lambda: param_groups(net(), 0.1, no_decay="bias"),
        r"not the string 'bias'",
    ),
    E(
        "param_groups(frozen model, 0.1)",
        lambda: param_groups(frozen(), 0.1),
        r"no trainable parameters",
    ),
    E(
        "param_groups(nn.Module(), 0.1)",
        lambda: param_groups(nn.Module(), 0.1),
        r"no trainable parameters",
    ),
    E("param_groups(meta model, 0.1)", lambda: param_groups(meta(), 0.1), r"meta device"),
    E(
        "param_groups(overrides matching nothing)",
        lambda: param_groups(net(), 0.1, overrides={"nomatch*": {"lr": 1.0}}),
        r"match no trainable parameter",
    ),
    E(
        "param_groups(overrides={'fc.*': 'lr'})",
        lambda: param_groups(net(), 0.1, overrides={"fc.*": "lr"}),
        r"must be a dict of group options",
    ),
    E(
        "param_groups(overrides=[1])",
        lambda: param_groups(net(), 0.1, overrides=[1]),
        r"overrides must map a glob pattern",
    ),
    E(
        "param_groups(model, 0.1, with_names='yes')",
        lambda: param_groups(net(), 0.1, with_names="yes"),
        r"with_names must be True or False",
    ),
    E(
        "param_groups(model, 0.1, decay_embeddings='no')",
        lambda: param_groups(net(), 0.1, decay_embeddings="no"),
        r"decay_embeddings must be True or False",
    ),
    OK(
        "param_groups(model, 0): every tensor, decay 0",
        lambda: param_groups(net(), 0.0),
        lambda gs: (
            (sum(len(g["params"]) for g in gs) == 7 and all(g["weight_decay"] == 0 for g in gs))
            or gs
        ),
    ),
    OK(
        "param_groups(tied weights): each tensor once",
        lambda: (lambda m: (setattr(m[1], "weight", m[0].weight), param_groups(m, 0.1))[1])(
            nn.Sequential(nn.Embedding(10, 8), nn.Linear(8, 10, bias=False))
        ),
        lambda gs: sum(len(g["params"]) for g in gs) == 1 or gs,
    ),
    OK(
        "param_groups(partly frozen model): only trainable tensors",
        lambda: (lambda m: (m.embed.requires_grad_(False), param_groups(m, 0.1))[1])(net()),
        lambda gs: sum(len(g["params"]) for g in gs) == 6 or gs,
    ),
    E("classify(None)", lambda: classify(None), r"needs a torch\.nn\.Module, got NoneType"),
    OK(
        "classify(model, patterns=None): no patterns",
        _decisions_without_patterns,
        lambda v: v,
    ),
    E("classify(model, no_decay=None)", lambda: classify(net(), no_decay=None), r"no_decay"),
    OK(
        "classify(meta model): structure only",
        lambda: classify(meta()),
        lambda ds: len(ds) == 7 or ds,
    ),
    OK(
        "classify(frozen model): no trainable tensors, empty",
        lambda: classify(frozen()),
        lambda ds: ds == [] or ds,
    ),
    E(
        "muon_param_groups(None, 0.1)",
        lambda: muon_param_groups(None, 0.1),
        r"nn\.Module, got NoneType",
    ),
    E(
        "muon_param_groups(model, 0.1, head='lm_head')",
        lambda: muon_param_groups(LM(), 0.1, head="lm_head"),
        r"not the string 'lm_head'",
    ),
    E(
        "muon_param_groups(model, 0.1, head=['output']) matching nothing",
        lambda: muon_param_groups(LM(), 0.1, head=["output"]),
        r"head.*match",
    ),
    E(  # defect 10: a head pattern that matches no tensor is an error, not a silent Muon head
        "muon_param_groups(model, 0.1, head=['lm_head']): matches no tensor",
        lambda: _muon_head_names(["lm_head"]),
        r"match no trainable parameter.*'lm_head\.\*'",
    ),
    E(
        "muon_param_groups(adamw_weight_decay=nan)",
        lambda: muon_param_groups(LM(), 0.1, adamw_weight_decay=math.nan),
        r"adamw_weight_decay must be a finite number",
    ),
    E(
        "summarize_groups(None)",
        lambda: summarize_groups(None),
        r"needs an optimizer or a list of param-group dicts",
    ),
    E("summarize_groups('groups')", lambda: summarize_groups("groups"), r"got str"),
    E(
        "summarize_groups([{'params': 'x'}])",
        lambda: summarize_groups([{"params": "x"}]),
        r"'params' is a str",
    ),
    E(
        "summarize_groups(opt, model='m')",
        lambda: summarize_groups(adamw(net()), model="m"),
        r"model must be a torch\.nn\.Module or None",
    ),
    E(
        "summarize_groups(opt, examples=-1)",
        lambda: summarize_groups(adamw(net()), examples=-1),
        r"examples",
    ),
    OK(
        "summarize_groups([]): an empty table",
        lambda: str(summarize_groups([])),
        lambda t: "total" in t or t,
    ),
    OK(
        "summarize_groups(optimizer over param_groups)",
        lambda: (lambda m: str(summarize_groups(torch.optim.AdamW(param_groups(m, 0.1)), m)))(
            net()
        ),
        lambda t: "0.1" in t or t,
    ),
]
