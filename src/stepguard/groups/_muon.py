"""Parameter groups for a hybrid optimizer: Muon for hidden matrices, AdamW for everything else.

Muon orthogonalises the update of a 2-D weight matrix, which is meant for the hidden layers of a
network; embeddings, the output head, norms, biases and other vectors keep an element-wise
optimizer (AdamW). `muon_param_groups` makes that split from `classify`'s decisions and returns two
lists of plain group dicts, one for `torch.optim.Muon` and one for `torch.optim.AdamW`, each with
its own weight decay.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from stepguard.groups._classify import (
    DEFAULT_NO_DECAY,
    ParamDecision,
    check_decisions,
    check_patterns,
    check_weight_decay,
    classify,
    groups_from_decisions,
)
from stepguard.groups._forward import ExampleInputs
from stepguard.groups._roles import unwrap

__all__ = ["muon_param_groups", "output_head"]


def output_head(model: nn.Module) -> tuple[str, ...]:
    """Names of the output head's tensors, as `muon_param_groups` finds it without a hint.

    The module returned by ``model.get_output_embeddings()`` (transformers models and anything
    following that convention) when it returns a module with tensors; otherwise the last module, in
    registration order, that owns a 2-D ``weight`` (the final Linear of most classifiers). Names
    are those `classify` reports (first alias); an empty tuple when nothing qualifies.
    """
    inner = unwrap(model)
    getter = getattr(inner, "get_output_embeddings", None)
    head: nn.Module | None = None
    if callable(getter) and not isinstance(getter, nn.Module):
        found = getter()
        if isinstance(found, nn.Module) and any(True for _ in found.parameters()):
            head = found
    if head is None:
        for module in inner.modules():
            weight = module._parameters.get("weight")
            if weight is not None and weight.ndim == 2:
                head = module
    if head is None:
        return ()
    ids = {id(p) for p in head.parameters()}
    return tuple(d.name for d in classify(inner) if id(d.param) in ids)


def muon_param_groups(
    model: nn.Module,
    weight_decay: float,
    *,
    adamw_weight_decay: float | None = None,
    head: Iterable[str] | None = None,
    no_decay: Iterable[str] = DEFAULT_NO_DECAY,
    decay_embeddings: bool = False,
    patterns: Iterable[str] = (),
    adamw_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    with_names: bool = False,
    example_inputs: ExampleInputs | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split `model`'s trainable tensors into (Muon groups, AdamW groups).

    A tensor goes to Muon iff `classify` decays it with reason "default" (the weight of a layer
    or another plain matrix), it is stored 2-D (torch.optim.Muon accepts only 2-D tensors, so
    convolution kernels and flattened weights stay with AdamW), and it is not part of the output
    head. The Muon list is one group ``{"params": [...], "weight_decay": weight_decay}`` (empty
    list when no tensor qualifies). The AdamW list is `param_groups`' layout for the rest:
    decayed tensors (head, convolutions, ...) with `adamw_weight_decay` (default: `weight_decay`),
    then the no-decay tensors (embeddings, norms, biases, vectors) with 0.0, then any
    `adamw_overrides` groups.

    `head` is a collection of fnmatch globs naming the output head's tensors (``["lm_head.*"]``);
    a glob that matches no trainable tensor is an error (as for `overrides`), so a typo cannot
    send the real head to Muon. None finds the head with `output_head`; ``()`` means no head
    exclusion. Every trainable tensor lands in exactly one group of one of the two lists. Other
    options (`example_inputs` included) are `param_groups`'.
    """
    # Validate before any forward runs: same errors as param_groups (module, weight decay, meta,
    # no parameters), then the head patterns; the decisions are computed once.
    adamw_wd = weight_decay if adamw_weight_decay is None else adamw_weight_decay
    check_weight_decay(weight_decay)
    check_weight_decay(adamw_wd, "adamw_weight_decay")
    if isinstance(head, str):
        raise TypeError(
            f"head must be a collection of glob patterns, not the string {head!r}; "
            f"write head=[{head!r}]"
        )
    head_globs = None if head is None else check_patterns(head, "head")
    decisions = classify(
        model,
        no_decay=no_decay,
        decay_embeddings=decay_embeddings,
        patterns=patterns,
        example_inputs=example_inputs,
    )
    check_decisions(model, decisions)
    if head_globs is None:
        head_globs = output_head(model)
    else:
        _check_head_matches(head_globs, decisions)

    def is_head(d: ParamDecision) -> bool:
        return any(fnmatch.fnmatchcase(n, g) for n in d.names for g in head_globs)

    muon = [
        d
        for d in decisions
        if d.decay and d.reason == "default" and d.param.ndim == 2 and not is_head(d)
    ]
    picked = {id(d.param) for d in muon}
    rest = [d for d in decisions if id(d.param) not in picked]
    muon_groups: list[dict[str, Any]] = []
    if muon:
        group: dict[str, Any] = {"params": [d.param for d in muon], "weight_decay": weight_decay}
        if with_names:
            group["param_names"] = [d.name for d in muon]
        muon_groups.append(group)
    adamw_groups = (
        groups_from_decisions(rest, adamw_wd, overrides=adamw_overrides, with_names=with_names)
        if rest
        else []
    )
    return muon_groups, adamw_groups


def _check_head_matches(globs: tuple[str, ...], decisions: list[ParamDecision]) -> None:
    names = [n for d in decisions for n in d.names]
    unused = [g for g in globs if not any(fnmatch.fnmatchcase(n, g) for n in names)]
    if not unused:
        return
    hint = ""
    modules = [g for g in unused if any(fnmatch.fnmatchcase(n, g + ".*") for n in names)]
    if modules:
        hint = f" ({modules[0]!r} names a module: write {modules[0] + '.*'!r} for its tensors)"
    raise ValueError(
        f"head pattern(s) {unused} match no trainable parameter{hint}; patterns are fnmatch "
        "globs on tensor names as classify() reports them, e.g. head=['lm_head.*'], or head=None "
        "to find the output head, head=() for none"
    )
