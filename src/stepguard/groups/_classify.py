"""Weight-decay parameter groups with reasons: which tensors decay, which do not, and why.

`classify(model)` is a pure function of the model's structure: one `ParamDecision` per trainable
tensor, saying whether it decays and which rule decided. `param_groups(model, weight_decay)` turns
those decisions into plain torch param-group dicts that any `torch.optim` optimizer accepts.

Reasons, in priority order (for a tensor with several aliases the earliest wins; a tensor decays
unless its reason is one of the `no_decay` categories, by default all of them but "default"):

=============== ===============================================================================
reason          when (structural rules: `stepguard.groups._roles`)
=============== ===============================================================================
"tensor-flag"   the tensor has ``_no_weight_decay = True`` (the Mamba reference code's convention)
"declared"      a submodule's ``no_weight_decay()`` / ``no_weight_decay_keywords()`` names it
"pattern"       one of the user's ``patterns`` (``fnmatch`` globs on the qualified name) matches
"convention"    ``A_log``, ``D``, ``dt_bias`` of a module whose type name contains "Mamba"
"norm"          a torch norm class or a class named ``*Norm*``; a weight-norm magnitude g; a
                module of per-channel vectors whose forward normalizes (by behaviour)
"embedding"     an nn.Embedding weight, a tensor of a class named ``*Embedding*``; a table
                indexed by an integer buffer of its module; a >= 3-D tensor with a leading 1;
                fallback names (position / relative tables, tokens, latents, queries)
"bias"          the module's ``bias``, MultiheadAttention / RNN biases; the bias of a stack of
                matrices (per expert, per head); fallback names (``*bias*``, ``b1``, ``translate``)
"scale"         role by use only: combined elementwise with activations
"default"       the weight of a torch layer (any stored shape), a weight-norm direction v
"1d"            any other tensor with at most one non-singleton dimension
"default"       everything else
=============== ===============================================================================

With ``example_inputs``, one forward is watched (`stepguard.groups._forward`,
`stepguard.groups._use`) and each tensor whose rule is a heuristic is decided by its use;
declarations and torch's own classes keep their rule. Tied tensors are classified once, by
identity. Wrappers (``torch.compile``'s ``_orig_mod``, DDP and DataParallel's ``module``,
FSDP/checkpoint ``_fsdp_wrapped_module`` / ``_checkpoint_wrapped_module``) are looked through:
decisions and names are those of the inner model.
"""

from __future__ import annotations

import fnmatch
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from torch import nn

from stepguard.groups._forward import ExampleInputs, check_example_inputs, observe
from stepguard.groups._roles import (
    Alias,
    Rule,
    aliases,
    all_modules,
    clean_name,
    declarations,
    is_lazy,
    rule_for,
    unwrap,
)
from stepguard.groups._use import UseKey, decide

__all__ = [
    "DEFAULT_NO_DECAY",
    "NO_DECAY_CATEGORIES",
    "REASONS",
    "ParamDecision",
    "check_decisions",
    "check_patterns",
    "check_weight_decay",
    "classify",
    "clean_name",
    "groups_from_decisions",
    "param_groups",
    "unwrap",
]

# Reasons in priority order: for a tensor with several aliases, the earliest reason wins.
REASONS: tuple[str, ...] = (
    "tensor-flag",
    "declared",
    "pattern",
    "convention",
    "norm",
    "embedding",
    "bias",
    "scale",
    "default",
    "1d",
)
NO_DECAY_CATEGORIES: tuple[str, ...] = tuple(r for r in REASONS if r != "default")
DEFAULT_NO_DECAY: frozenset[str] = frozenset(NO_DECAY_CATEGORIES)


@dataclass(frozen=True)
class ParamDecision:
    """Whether one trainable tensor decays, and why.

    `names` holds every qualified name of the tensor (tied tensors: every alias, in
    `named_parameters(remove_duplicate=False)` order), with wrapper prefixes stripped. `reason` is
    one of `REASONS`; `detail` says it in words; `module_type` is the type name of the module that
    owns the alias that decided.
    """

    names: tuple[str, ...]
    param: nn.Parameter
    shape: tuple[int, ...]
    decay: bool
    reason: str
    detail: str
    module_type: str

    @property
    def name(self) -> str:
        """The first qualified name (the one `model.named_parameters()` reports)."""
        return self.names[0]

    @property
    def numel(self) -> int:
        """Number of elements of the tensor (0 while a lazy parameter is uninitialised)."""
        return 0 if is_lazy(self.param) else math.prod(self.shape)


def _check_model(model: object, what: str) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{what}() needs a torch.nn.Module, got {type(model).__name__}; pass the model "
            "itself (not model.parameters() or a state_dict)"
        )
    return unwrap(model)


def _check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def _check_categories(no_decay: Iterable[str], decay_embeddings: bool) -> frozenset[str]:
    _check_flag(decay_embeddings, "decay_embeddings")
    if no_decay is None:
        raise TypeError(
            "no_decay must be a collection of category names, got None; leave it out for the "
            f"default {sorted(DEFAULT_NO_DECAY)}, or pass () to decay every category"
        )
    if isinstance(no_decay, str):
        raise TypeError(
            f"no_decay must be a collection of category names, not the string {no_decay!r}"
        )
    cats = frozenset(no_decay)
    unknown = sorted(cats - DEFAULT_NO_DECAY)
    if unknown:
        raise ValueError(
            f"unknown no_decay categories {unknown}; choose from {list(NO_DECAY_CATEGORIES)}"
        )
    return cats - {"embedding"} if decay_embeddings else cats


def check_patterns(patterns: Iterable[str] | None, what: str) -> tuple[str, ...]:
    if patterns is None:
        return ()
    if isinstance(patterns, str):
        raise TypeError(
            f"{what} must be a collection of glob patterns, not the string {patterns!r}"
        )
    if not isinstance(patterns, Iterable):
        raise TypeError(
            f"{what} must be a collection of glob patterns such as ['*.scale'] (or None for "
            f"none), got {type(patterns).__name__}"
        )
    out = tuple(patterns)
    for p in out:
        if not isinstance(p, str) or not p:
            raise TypeError(f"{what} must hold non-empty strings (fnmatch globs), got {p!r}")
    return out


def classify(
    model: nn.Module,
    *,
    no_decay: Iterable[str] = DEFAULT_NO_DECAY,
    decay_embeddings: bool = False,
    patterns: Iterable[str] | None = (),
    example_inputs: ExampleInputs | None = None,
) -> list[ParamDecision]:
    """One `ParamDecision` per trainable tensor of `model`, by identity, in first-appearance order.

    Frozen tensors (``requires_grad=False``) are left out. `no_decay` is the set of reasons (see
    `NO_DECAY_CATEGORIES`) that skip decay; a tensor decays iff its reason is not in it.
    ``decay_embeddings=True`` removes "embedding" from it (embeddings skip decay by default).
    `patterns` are extra fnmatch globs on qualified names (e.g. ``"*.scale"``) whose tensors get
    reason "pattern" (None is the same as no patterns). Wrappers (torch.compile, DDP,
    DataParallel) are looked through.

    Without `example_inputs`, classification reads structure only, never values: it works on the
    meta device (and on lazy, uninitialised parameters). With `example_inputs` (a tensor, a tuple
    of positional arguments, a dict of keyword arguments, or a callable ``fn(model)`` that runs
    one forward), it also runs one forward, on the meta device when it can (see
    `stepguard.groups._forward`), and decides each tensor whose structural rule is a heuristic
    (a type-name convention, a shape, a name pattern) by how that forward uses it; the detail
    then starts with ``use:``. Declarations, patterns and torch's own classes keep their rule; a
    tensor the forward does not use keeps its structural rule and says so. The model is left as
    it was. `param_groups` refuses meta tensors (see there).
    """
    model = _check_model(model, "classify")
    cats = _check_categories(no_decay, decay_embeddings)
    pats = check_patterns(patterns, "patterns")
    if example_inputs is not None:
        check_example_inputs(example_inputs)
    walked = all_modules(model)
    declared = declarations(model, walked)
    order: list[nn.Parameter] = []
    per_tensor: dict[int, list[Alias]] = {}
    for p, alias in aliases(model, walked):
        if not p.requires_grad:
            continue
        if id(p) not in per_tensor:
            per_tensor[id(p)] = []
            order.append(p)
        per_tensor[id(p)].append(alias)
    observed = None if example_inputs is None else observe(model, example_inputs).uses

    decisions = []
    for p in order:
        tensor_aliases = per_tensor[id(p)]
        ruled = [(rule_for(p, a, declared, pats), a) for a in tensor_aliases]
        rule, chosen = min(ruled, key=lambda r: REASONS.index(r[0].reason))
        reason, detail = rule.reason, rule.detail
        others = [
            f"alias {a.name!r} is {r.detail}"
            for r, a in ruled
            if a is not chosen and r.reason != reason
        ]
        if others:
            detail = f"tied to {reason} {chosen.name!r} ({detail}); " + "; ".join(others)
        if observed is not None:
            reason, detail = _with_use(rule, reason, detail, observed.get(id(p)))
        names = tuple(dict.fromkeys(a.name for a in tensor_aliases))
        decisions.append(
            ParamDecision(
                names=names,
                param=p,
                shape=() if is_lazy(p) else tuple(p.shape),
                decay=reason not in cats,
                reason=reason,
                detail=detail,
                module_type=type(chosen.owner).__name__,
            )
        )
    return decisions


def _with_use(
    rule: Rule, reason: str, detail: str, uses: dict[UseKey, int] | None
) -> tuple[str, str]:
    """Combine a tensor's structural rule with its uses in the example forward."""
    if rule.strength == "explicit":
        return reason, detail
    if not uses:
        return reason, f"{detail} (not used in the example forward: structural rule)"
    used_reason, used = decide(uses)
    if used_reason is None:
        return reason, f"{detail}; {used}, structural rule kept"
    lookup = used_reason == "embedding" and any(u.gather and u.by_input for u in uses)
    if rule.strength == "type" and not lookup:
        if used_reason == reason:
            return reason, f"{detail}; {used}"
        return reason, f"{detail} (a torch class: kept); {used} would say {used_reason}"
    return used_reason, used


def check_weight_decay(weight_decay: object, what: str = "weight_decay") -> float:
    """`weight_decay` as a float, or a ValueError/TypeError naming what is wrong with it."""
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real):
        raise TypeError(f"{what} must be a real number like 0.01, got {weight_decay!r}")
    value = float(weight_decay)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite number >= 0, got {weight_decay!r}")
    return value


def _check_overrides(
    overrides: Mapping[str, Mapping[str, Any]] | None,
) -> list[tuple[str, dict[str, Any]]]:
    if overrides is None:
        return []
    if not isinstance(overrides, Mapping):
        raise TypeError(
            "overrides must map a glob pattern to group options, e.g. {'head.*': {'lr': 1e-3}}; "
            f"got {type(overrides).__name__}"
        )
    out = []
    for pat, opts in overrides.items():
        check_patterns([pat], "overrides keys")
        if not isinstance(opts, Mapping):
            raise TypeError(f"overrides[{pat!r}] must be a dict of group options, got {opts!r}")
        bad = sorted({"params", "param_names"} & set(opts))
        if bad:
            raise ValueError(
                f"overrides[{pat!r}] may not set {bad}: parameters come from the model"
            )
        opts = dict(opts)
        if "weight_decay" in opts:
            opts["weight_decay"] = check_weight_decay(
                opts["weight_decay"], f"overrides[{pat!r}]['weight_decay']"
            )
        out.append((pat, opts))
    return out


def groups_from_decisions(
    decisions: Iterable[ParamDecision],
    weight_decay: float,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    with_names: bool = False,
) -> list[dict[str, Any]]:
    """Param-group dicts from decisions (see `param_groups`, which documents the layout)."""
    wd = check_weight_decay(weight_decay)
    rules = _check_overrides(overrides)
    # Bucket key: (override index or -1 for none, decays?). Base buckets come first.
    buckets: dict[tuple[int, bool], list[ParamDecision]] = {}
    used = [False] * len(rules)
    for d in decisions:
        index = next(
            (
                i
                for i, (pat, _) in enumerate(rules)
                if any(fnmatch.fnmatchcase(n, pat) for n in d.names)
            ),
            -1,
        )
        if index >= 0:
            used[index] = True
        buckets.setdefault((index, d.decay), []).append(d)
    unused = [pat for (pat, _), u in zip(rules, used, strict=True) if not u]
    if unused:
        raise ValueError(
            f"overrides pattern(s) {unused} match no trainable parameter; patterns are fnmatch "
            "globs on names as classify() reports them (wrapper prefixes stripped)"
        )
    groups = []
    for index in range(-1, len(rules)):
        for decays in (True, False):
            members = buckets.get((index, decays))
            if not members:
                continue
            opts = dict(rules[index][1]) if index >= 0 else {}
            group_wd = opts.pop("weight_decay", wd) if decays else 0.0
            opts.pop("weight_decay", None)
            group: dict[str, Any] = {"params": [d.param for d in members], "weight_decay": group_wd}
            group.update(opts)
            if with_names:
                group["param_names"] = [d.name for d in members]
            groups.append(group)
    return groups


def param_groups(
    model: nn.Module,
    weight_decay: float,
    *,
    no_decay: Iterable[str] = DEFAULT_NO_DECAY,
    decay_embeddings: bool = False,
    patterns: Iterable[str] | None = (),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    with_names: bool = False,
    example_inputs: ExampleInputs | None = None,
) -> list[dict[str, Any]]:
    """Plain torch param-group dicts: decayed tensors get `weight_decay`, the others 0.0.

    Every trainable tensor appears exactly once (tied tensors once), frozen ones never; empty
    groups are omitted. Order: the decay group, the no-decay group, then for each `overrides`
    pattern (in mapping order) its decay and no-decay groups. `overrides` maps an fnmatch glob on
    parameter names to extra group options (``{"head.*": {"lr": 1e-3}}``); a tensor goes to the
    first pattern that matches any of its names. An override's ``weight_decay`` applies to its
    decay group only, so no-decay tensors stay at 0.0. A pattern matching nothing is an error.
    `no_decay`, `decay_embeddings`, `patterns` and `example_inputs` are those of `classify`.

    ``with_names=True`` adds torch's own ``"param_names"`` key (torch >= 2.6 keeps it through
    `state_dict()`); it is off by default because torch then refuses `add_param_group` of a
    group without names. Raises TypeError/ValueError for a non-module, a bad `weight_decay`, a
    model without trainable parameters, or parameters on the meta device (an optimizer built on
    meta tensors is stale once `to_empty()` materialises new ones).
    """
    inner = _check_model(model, "param_groups")
    check_weight_decay(weight_decay)
    _check_flag(with_names, "with_names")
    _check_overrides(overrides)
    if example_inputs is not None:  # fail before running a forward that cannot help
        _check_not_meta([clean_name(n) for n, p in inner.named_parameters() if p.is_meta])
    decisions = classify(
        model,
        no_decay=no_decay,
        decay_embeddings=decay_embeddings,
        patterns=patterns,
        example_inputs=example_inputs,
    )
    check_decisions(model, decisions)
    return groups_from_decisions(
        decisions, weight_decay, overrides=overrides, with_names=with_names
    )


def check_decisions(model: nn.Module, decisions: list[ParamDecision]) -> None:
    """ValueError when there is nothing to optimize or the tensors are on the meta device."""
    if not decisions:
        raise ValueError(
            f"{type(model).__name__} has no trainable parameters (none with requires_grad=True); "
            "nothing to optimize - unfreeze some parameters first"
        )
    _check_not_meta([d.name for d in decisions if d.param.is_meta])


def _check_not_meta(meta: list[str]) -> None:
    if meta:
        raise ValueError(
            f"{len(meta)} parameter(s) are on the meta device (e.g. {meta[0]!r}); materialise the "
            "model first (model.to_empty(device=...) and initialise), then build the groups - "
            "to_empty() creates new tensors, so groups built now would point at stale ones"
        )
