"""A printable summary of weight-decay parameter groups: what each group holds, and why.

`summarize_groups` accepts what a user already holds: the list of group dicts they built (with
`param_groups` or by hand) or a live `torch.optim.Optimizer`, plus the model for names and reasons.
One row per group (weight decay, tensor count, element count, example names, any hyperparameter
that differs between groups); with ``per_parameter=True`` also one line per tensor with the
reason `classify` gives it, and a mark where the group's decay disagrees with that reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from stepguard.groups._classify import ParamDecision, classify
from stepguard.groups._roles import clean_name, is_lazy, unwrap

__all__ = ["GroupRow", "GroupSummary", "ParamRow", "summarize_groups"]

_NOT_OPTIONS = frozenset({"params", "param_names", "weight_decay"})


@dataclass(frozen=True)
class GroupRow:
    """One param group: its weight decay (None when the group dict leaves it to the optimizer),
    tensor and element counts, every tensor's name (first alias), and the options in `columns`."""

    index: int
    weight_decay: float | None
    tensors: int
    elements: int
    names: tuple[str, ...]
    options: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ParamRow:
    """One tensor of a group: name, shape, the group's decay, and classify's verdict on it.

    `reason` / `detail` are those of `classify` ("frozen" / "not a parameter of the model" when it
    has none); `expected_decay` is classify's decay (None without a verdict); `mismatch` is True
    when the group decays (weight_decay > 0) and classify says it should not, or the reverse.
    """

    group: int
    name: str
    shape: tuple[int, ...]
    weight_decay: float | None
    reason: str
    detail: str
    expected_decay: bool | None

    @property
    def mismatch(self) -> bool:
        if self.expected_decay is None or self.weight_decay is None:
            return False
        return (self.weight_decay > 0) != self.expected_decay


@dataclass(frozen=True)
class GroupSummary:
    """The summary; `str()` renders it as a table, `to_dict()` as JSON-ready data.

    `missing` lists trainable model tensors that are in no group (only known with a model).
    """

    rows: tuple[GroupRow, ...]
    columns: tuple[str, ...]
    parameters: tuple[ParamRow, ...] | None
    missing: tuple[str, ...]
    examples: int = 3

    def to_dict(self) -> dict[str, Any]:
        """Plain data: groups (with all names), parameters (if listed), missing names."""
        out: dict[str, Any] = {
            "groups": [
                {
                    "index": r.index,
                    "weight_decay": r.weight_decay,
                    "tensors": r.tensors,
                    "elements": r.elements,
                    "names": list(r.names),
                    **{k: _jsonable(v) for k, v in r.options},
                }
                for r in self.rows
            ],
            "missing": list(self.missing),
        }
        if self.parameters is not None:
            out["parameters"] = [
                {
                    "group": p.group,
                    "name": p.name,
                    "shape": list(p.shape),
                    "weight_decay": p.weight_decay,
                    "reason": p.reason,
                    "detail": p.detail,
                    "mismatch": p.mismatch,
                }
                for p in self.parameters
            ]
        return out

    def __str__(self) -> str:
        head = ["group", "weight_decay", "tensors", "elements", *self.columns, "examples"]
        body = []
        for r in self.rows:
            shown = ", ".join(r.names[: self.examples])
            if len(r.names) > self.examples:
                shown += f", ... (+{len(r.names) - self.examples})"
            opts = dict(r.options)
            body.append(
                [
                    str(r.index),
                    _fmt(r.weight_decay),
                    str(r.tensors),
                    f"{r.elements:,}",
                    *(_fmt(opts.get(c)) for c in self.columns),
                    shown,
                ]
            )
        tensors = sum(r.tensors for r in self.rows)
        elements = sum(r.elements for r in self.rows)
        body.append(["total", "", str(tensors), f"{elements:,}", *("" for _ in self.columns), ""])
        lines = _table(head, body)
        if self.missing:
            lines.append(f"not in any group: {len(self.missing)} trainable tensor(s): ")
            lines[-1] += ", ".join(self.missing[: self.examples * 2])
        if self.parameters is not None:
            lines.append("")
            phead = ["group", "weight_decay", "name", "shape", "reason", "detail"]
            pbody = [
                [
                    str(p.group),
                    _fmt(p.weight_decay) + (" !" if p.mismatch else ""),
                    p.name,
                    "x".join(map(str, p.shape)) or "scalar",
                    p.reason,
                    p.detail,
                ]
                for p in self.parameters
            ]
            lines += _table(phead, pbody)
            bad = sum(p.mismatch for p in self.parameters)
            if bad:
                lines.append(f"! {bad} tensor(s) whose group decay disagrees with classify()")
        return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.item() if value.numel() == 1 else value.tolist()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(head: list[str], body: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*row).rstrip() for row in body]
    return lines


def _numel(p: torch.Tensor) -> int:
    return 0 if is_lazy(p) else math.prod(p.shape)


def _group_dicts(groups: torch.optim.Optimizer | Iterable[Mapping[str, Any]]) -> list[Mapping]:
    if isinstance(groups, torch.optim.Optimizer):
        return list(groups.param_groups)
    if isinstance(groups, (Mapping, str, nn.Module, torch.Tensor)) or not isinstance(
        groups, Iterable
    ):
        raise TypeError(
            "summarize_groups() needs an optimizer or a list of param-group dicts (as returned "
            f"by param_groups()), got {type(groups).__name__}"
        )
    out = list(groups)
    for i, g in enumerate(out):
        if not isinstance(g, Mapping) or "params" not in g:
            raise TypeError(f"group {i} must be a dict with a 'params' list, got {g!r}"[:200])
        if not isinstance(g["params"], (list, tuple)):
            raise TypeError(
                f"group {i}'s 'params' is a {type(g['params']).__name__}; pass a list (a "
                "generator would be consumed by the summary and then be empty for the optimizer)"
            )
    return out


def summarize_groups(
    groups: torch.optim.Optimizer | Iterable[Mapping[str, Any]],
    model: nn.Module | None = None,
    *,
    per_parameter: bool = False,
    examples: int = 3,
) -> GroupSummary:
    """Summarize param groups (an optimizer's, or a list of group dicts) against `model`.

    Names come from a group's ``"param_names"`` when present, else from `model` (first alias,
    wrapper prefixes stripped), else ``"<tensor 3>"`` (no model given) or
    ``"<not in model>"``. Option columns show the hyperparameters (other than params and
    weight_decay) that differ between groups. ``per_parameter=True`` adds one row per tensor
    with `classify`'s reason (default `classify` options); rows whose group decay disagrees
    with it are marked. Nothing is modified.
    """
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ValueError(
            f"examples must be an int >= 0 (tensor names shown per group), got {examples!r}"
        )
    if not isinstance(per_parameter, bool):
        raise TypeError(f"per_parameter must be True or False, got {per_parameter!r}")
    dicts = _group_dicts(groups)
    if model is not None and not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module or None, got {type(model).__name__}")
    names: dict[int, str] = {}
    decisions: dict[int, ParamDecision] = {}
    if model is not None:
        inner = unwrap(model)
        names = {id(p): clean_name(n) for n, p in inner.named_parameters()}
        decisions = {id(d.param): d for d in classify(inner)}
    keys = sorted({k for g in dicts for k in g if k not in _NOT_OPTIONS})
    columns = tuple(k for k in keys if len({_fmt(g.get(k)) for g in dicts}) > 1)
    rows, params = [], []
    seen: set[int] = set()
    counter = 0
    for index, g in enumerate(dicts):
        wd = g.get("weight_decay")
        wd = None if wd is None else float(wd)
        given = g.get("param_names")
        group_names = []
        for j, p in enumerate(g["params"]):
            counter += 1
            seen.add(id(p))
            if isinstance(given, (list, tuple)) and len(given) == len(g["params"]):
                name = str(given[j])
            elif model is None:
                name = f"<tensor {counter - 1}>"
            else:
                name = names.get(id(p), "<not in model>")
            group_names.append(name)
            d = decisions.get(id(p))
            if d is not None:
                reason, detail, expected = d.reason, d.detail, d.decay
            elif model is None:
                reason, detail, expected = "-", "no model given", None
            elif id(p) in names:
                reason, detail, expected = "frozen", "requires_grad=False", None
            else:
                reason, detail, expected = "foreign", "not a parameter of the model", None
            shape = () if is_lazy(p) else tuple(p.shape)
            params.append(ParamRow(index, name, shape, wd, reason, detail, expected))
        rows.append(
            GroupRow(
                index=index,
                weight_decay=wd,
                tensors=len(g["params"]),
                elements=sum(_numel(p) for p in g["params"]),
                names=tuple(group_names),
                options=tuple((k, g[k]) for k in columns if k in g),
            )
        )
    missing = tuple(d.name for i, d in decisions.items() if i not in seen)
    return GroupSummary(
        rows=tuple(rows),
        columns=columns,
        parameters=tuple(params) if per_parameter else None,
        missing=missing,
        examples=examples,
    )
