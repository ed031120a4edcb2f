"""The optimizer table (`stepguard._optimizers`) matches the installed torch, and the linter and the
audit, which both read it, agree on SG101 for every `torch.optim` class."""

from __future__ import annotations

import inspect

import pytest
import torch
from torch import nn

from stepguard import audit
from stepguard._optimizers import TORCH_OPTIMIZERS
from stepguard.lint import lint_source

CLASSES = sorted(
    name
    for name, obj in vars(torch.optim).items()
    if inspect.isclass(obj) and issubclass(obj, torch.optim.Optimizer) and name != "Optimizer"
)


def _positional(cls: type) -> list[inspect.Parameter]:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # drop self
    return [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


@pytest.mark.parametrize("name", CLASSES)
def test_table_entry_matches_the_installed_signature(name: str) -> None:
    assert name in TORCH_OPTIMIZERS, f"torch.optim.{name} is missing from stepguard._optimizers"
    facts = TORCH_OPTIMIZERS[name]
    signature = inspect.signature(getattr(torch.optim, name).__init__).parameters
    positional = [p.name for p in _positional(getattr(torch.optim, name))]
    if facts.decay == "none":
        assert "weight_decay" not in signature
        return
    assert signature["weight_decay"].default == facts.wd_default
    assert positional.index("weight_decay") == facts.wd_index
    if facts.flag is not None:
        assert facts.flag in signature
        expected = positional.index(facts.flag) if facts.flag in positional else None
        assert facts.flag_index == expected
    else:
        assert "decoupled_weight_decay" not in signature


def _variants(name: str) -> list[tuple[str, dict[str, object]]]:
    """(how weight_decay=0.1 is passed, constructor kwargs) for the class."""
    facts = TORCH_OPTIMIZERS[name]
    out: list[tuple[str, dict[str, object]]] = [("keyword", {})]
    if facts.flag is not None:
        out += [("flag on", {facts.flag: True}), ("flag off", {facts.flag: False})]
    return out


def _model() -> nn.Module:
    return nn.Linear(4, 4, bias=False)  # 2-D only: every optimizer (Muon too) accepts it


@pytest.mark.parametrize(
    ("name", "how", "extra"),
    [
        (n, how, extra)
        for n in CLASSES
        if TORCH_OPTIMIZERS[n].decay != "none"
        for how, extra in _variants(n)
    ],
)
def test_linter_and_audit_agree_on_sg101(name: str, how: str, extra: dict[str, object]) -> None:
    model = _model()
    cls = getattr(torch.optim, name)
    opt = cls(model.parameters(), lr=0.01, weight_decay=0.1, **extra)
    audited = "SG101" in audit(model, opt).codes
    kwargs = "".join(f", {k}={v!r}" for k, v in extra.items())
    source = (
        "import torch\n"
        f"opt = torch.optim.{name}(model.parameters(), lr=0.01, weight_decay=0.1{kwargs})\n"
    )
    linted = "SG101" in {v.finding.code for v in lint_source(source)}
    assert linted == audited, f"{name} ({how}): lint says {linted}, audit says {audited}"
    expected = TORCH_OPTIMIZERS[name].couples_adaptively and not extra.get("decoupled_weight_decay")
    assert audited == expected


@pytest.mark.parametrize("name", [n for n in CLASSES if TORCH_OPTIMIZERS[n].wd_index is not None])
def test_linter_reads_weight_decay_at_its_positional_index(name: str) -> None:
    facts = TORCH_OPTIMIZERS[name]
    before = _positional(getattr(torch.optim, name))[1 : facts.wd_index]
    args = ", ".join(["model.parameters()", *(repr(p.default) for p in before), "0.1"])
    source = f"import torch\nopt = torch.optim.{name}({args})\n"
    compile(source, "<positional>", "exec")
    linted = "SG101" in {v.finding.code for v in lint_source(source)}
    assert linted == facts.couples_adaptively, source
