"""Weight-decay parameter groups with reasons: which tensors decay, which do not, and why.

`classify(model)` is a pure function of the model's structure: one `ParamDecision` per trainable
tensor, saying whether it decays and which rule decided. `param_groups(model, weight_decay)` turns
those decisions into plain torch param-group dicts that any `torch.optim` optimizer accepts.

Rules, in priority order (the first that applies gives the reason; a tensor decays unless its
reason is one of the `no_decay` categories, which by default are all of them but `"default"`):

=============== ===============================================================================
reason          when
=============== ===============================================================================
"tensor-flag"   the tensor has ``_no_weight_decay = True`` (the Mamba reference code's convention)
"declared"      a submodule's ``no_weight_decay()`` names it (exact name or glob, relative to that
                submodule) or its ``no_weight_decay_keywords()`` has a substring of its name
                (timm's convention; honoured on every submodule)
"pattern"       one of the user's ``patterns`` (``fnmatch`` globs on the qualified name) matches
"convention"    a known reference convention by owner type: ``A_log``, ``D``, ``dt_bias`` of a
                module whose type name contains "Mamba" (mamba_ssm flags these no-decay; ports
                such as transformers' drop the flag)
"norm"          owned by a normalization layer: every torch.nn norm class (LayerNorm, RMSNorm,
                BatchNorm*, SyncBatchNorm, GroupNorm, InstanceNorm*, Lazy variants,
                LocalResponseNorm, CrossMapLRN2d) or a class whose type name contains "Norm"
"embedding"     the ``weight`` of an nn.Embedding / nn.EmbeddingBag (subclasses included), or a
                parameter owned directly by a module whose type name contains "Embedding"
                (ViT's ``cls_token`` / ``position_embeddings``, CLIP's ``class_embedding``)
"bias"          the module's ``bias`` attribute (by identity), or the bias tensors of
                nn.MultiheadAttention and nn.RNN/LSTM/GRU
"default"       the weight of a Linear / Bilinear / Conv*/ConvTranspose* / transformers Conv1D /
                MultiheadAttention / RNN layer, whatever its stored ``ndim`` (a sharded or
                flattened weight is still a matrix); detail names the layer
"1d"            any other tensor with at most one dimension (scales, gates, CLIP logit_scale)
"default"       everything else
=============== ===============================================================================

Tied tensors are classified once, by identity: every alias is classified and the highest-priority
rule wins (so a Linear head tied to an embedding counts as an embedding); ``detail`` reports what
the other aliases would have been. Wrappers (``torch.compile``'s ``_orig_mod``, DDP and DataParallel's
``module``, FSDP/checkpoint ``_fsdp_wrapped_module`` / ``_checkpoint_wrapped_module``) are looked
through: decisions and names are those of the inner model.
"""

from __future__ import annotations

import fnmatch
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

__all__ = [
    "DEFAULT_NO_DECAY",
    "NO_DECAY_CATEGORIES",
    "REASONS",
    "ParamDecision",
    "classify",
    "param_groups",
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
    "default",
    "1d",
)
NO_DECAY_CATEGORIES: tuple[str, ...] = tuple(r for r in REASONS if r != "default")
DEFAULT_NO_DECAY: frozenset[str] = frozenset(NO_DECAY_CATEGORIES)

# Path segments added by wrappers around (sub)modules; stripped from every reported name.
_WRAPPER_SEGMENTS = frozenset({"_orig_mod", "_fsdp_wrapped_module", "_checkpoint_wrapped_module"})

# Parameters that reference implementations exempt from decay by flag, keyed by owner type-name
# substring. Ports of these models often lose the flag; the owner type keeps the convention.
_CONVENTIONS: dict[str, frozenset[str]] = {"Mamba": frozenset({"A_log", "D", "dt_bias"})}

_TORCH_NORMS: tuple[type[nn.Module], ...] = tuple(
    cls
    for cls in (
        getattr(
            nn.modules.batchnorm, "_NormBase", None
        ),  # BatchNorm*, SyncBatchNorm, InstanceNorm*
        nn.LayerNorm,
        nn.GroupNorm,
        getattr(nn, "RMSNorm", None),  # torch >= 2.4
        nn.LocalResponseNorm,
        nn.CrossMapLRN2d,
    )
    if isinstance(cls, type)
)
_WEIGHT_LAYERS: tuple[type[nn.Module], ...] = (
    nn.Linear,
    nn.Bilinear,
    nn.modules.conv._ConvNd,
    nn.MultiheadAttention,
    nn.RNNBase,
)
# Layer classes outside torch recognised by type name (no import of their library needed).
_WEIGHT_LAYER_NAMES = frozenset({"Conv1D"})


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
        """Number of elements of the tensor."""
        return math.prod(self.shape)


@dataclass(frozen=True)
class _Alias:
    name: str
    attr: str
    owner: nn.Module


def unwrap(model: nn.Module) -> nn.Module:
    """Return the model inside torch.compile / DDP / DataParallel wrappers (repeatedly)."""
    while True:
        inner = getattr(model, "_orig_mod", None)
        if isinstance(inner, nn.Module):
            model = inner
            continue
        if isinstance(model, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
            model = model.module
            continue
        return model


def clean_name(name: str) -> str:
    """Drop wrapper segments (`_orig_mod`, `_fsdp_wrapped_module`, ...) from a qualified name."""
    return ".".join(s for s in name.split(".") if s not in _WRAPPER_SEGMENTS)


def _check_model(model: object, what: str) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{what}() needs a torch.nn.Module, got {type(model).__name__}; pass the model "
            "itself (not model.parameters() or a state_dict)"
        )
    return unwrap(model)


def _check_categories(no_decay: Iterable[str], decay_embeddings: bool) -> frozenset[str]:
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


def _check_patterns(patterns: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(patterns, str):
        raise TypeError(
            f"{what} must be a collection of glob patterns, not the string {patterns!r}"
        )
    out = tuple(patterns)
    for p in out:
        if not isinstance(p, str) or not p:
            raise TypeError(f"{what} must hold non-empty strings (fnmatch globs), got {p!r}")
    return out


def _aliases(model: nn.Module) -> Iterator[tuple[nn.Parameter, _Alias]]:
    """Every (tensor, alias) pair, in `named_parameters(remove_duplicate=False)` order."""
    for mod_name, module in model.named_modules(remove_duplicate=False):
        for attr, p in module._parameters.items():
            if p is None:
                continue
            full = f"{mod_name}.{attr}" if mod_name else attr
            yield p, _Alias(clean_name(full), attr, module)


def _declarations(model: nn.Module) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(prefix, name-or-glob) from every `no_weight_decay()`, (prefix, keyword) from `..._keywords()`."""
    names: list[tuple[str, str]] = []
    keywords: list[tuple[str, str]] = []
    cache: dict[tuple[int, str], list[str]] = {}  # a shared submodule is asked once
    for mod_name, module in model.named_modules(remove_duplicate=False):
        prefix = clean_name(mod_name)
        for method, sink in (("no_weight_decay", names), ("no_weight_decay_keywords", keywords)):
            fn = getattr(type(module), method, None)
            if not callable(fn) or isinstance(fn, nn.Module):
                continue
            key = (id(module), method)
            if key not in cache:
                cache[key] = _call_declaration(module, method, prefix)
            sink.extend((prefix, d) for d in cache[key])
    return names, keywords


def _call_declaration(module: nn.Module, method: str, prefix: str) -> list[str]:
    try:
        declared = getattr(module, method)()
    except Exception as exc:
        raise TypeError(
            f"{type(module).__name__}.{method}() (module {prefix or '<root>'!r}) failed: "
            f"{exc}; it should return a collection of parameter names"
        ) from exc
    if isinstance(declared, str) or not isinstance(declared, Iterable):
        raise TypeError(
            f"{type(module).__name__}.{method}() must return a collection of strings, "
            f"got {declared!r}"
        )
    return [str(d) for d in declared]


def _is_norm(module: nn.Module) -> bool:
    return isinstance(module, _TORCH_NORMS) or "Norm" in type(module).__name__


def _is_weight_layer(module: nn.Module) -> bool:
    return isinstance(module, _WEIGHT_LAYERS) or type(module).__name__ in _WEIGHT_LAYER_NAMES


def _is_torch_bias(module: nn.Module, attr: str) -> bool:
    if isinstance(module, nn.MultiheadAttention):
        return attr in ("in_proj_bias", "bias_k", "bias_v")
    return isinstance(module, nn.RNNBase) and attr.startswith("bias_")


def _relative(name: str, prefix: str) -> str | None:
    if not prefix:
        return name
    return name[len(prefix) + 1 :] if name.startswith(prefix + ".") else None


def _shape_text(p: torch.Tensor) -> str:
    return "0-D scalar" if p.ndim == 0 else f"1-D tensor of {p.shape[0]}"


def _rule(
    p: nn.Parameter,
    alias: _Alias,
    declared: tuple[list[tuple[str, str]], list[tuple[str, str]]],
    patterns: tuple[str, ...],
) -> tuple[str, str]:
    """(reason, detail) for one alias of a tensor."""
    owner, attr, name = alias.owner, alias.attr, alias.name
    kind = type(owner).__name__
    if getattr(p, "_no_weight_decay", False) is True:
        return "tensor-flag", "tensor attribute _no_weight_decay = True"
    names, keywords = declared
    for prefix, decl in names:
        rel = _relative(name, prefix)
        if rel is not None and (rel == decl or fnmatch.fnmatchcase(rel, decl)):
            where = f"{prefix}.no_weight_decay()" if prefix else "model.no_weight_decay()"
            return "declared", f"{where} lists {decl!r}"
    for prefix, kw in keywords:
        rel = _relative(name, prefix)
        if rel is not None and kw in rel:
            where = (
                f"{prefix}.no_weight_decay_keywords()"
                if prefix
                else "model.no_weight_decay_keywords()"
            )
            return "declared", f"{where} has {kw!r}"
    for pat in patterns:
        if fnmatch.fnmatchcase(name, pat):
            return "pattern", f"matches pattern {pat!r}"
    for type_part, attrs in _CONVENTIONS.items():
        if type_part in kind and attr in attrs:
            return "convention", f"{kind}.{attr} (the reference implementation flags it no-decay)"
    if _is_norm(owner):
        return "norm", f"{kind} {attr}"
    if isinstance(owner, (nn.Embedding, nn.EmbeddingBag)) and attr == "weight":
        return "embedding", f"{kind} weight"
    if "Embedding" in kind:
        return "embedding", f"parameter {attr!r} owned by {kind}"
    if getattr(owner, "bias", None) is p or _is_torch_bias(owner, attr):
        return "bias", f"{kind} {attr}"
    if _is_weight_layer(owner):
        return "default", f"{kind} {attr}"
    if p.ndim <= 1:
        return "1d", f"{_shape_text(p)} owned by {kind}"
    return "default", f"{p.ndim}-D tensor owned by {kind}"


def classify(
    model: nn.Module,
    *,
    no_decay: Iterable[str] = DEFAULT_NO_DECAY,
    decay_embeddings: bool = False,
    patterns: Iterable[str] = (),
) -> list[ParamDecision]:
    """One `ParamDecision` per trainable tensor of `model`, by identity, in first-appearance order.

    Frozen tensors (``requires_grad=False``) are left out. `no_decay` is the set of reasons (see
    `NO_DECAY_CATEGORIES`) that skip decay; a tensor decays iff its reason is not in it.
    ``decay_embeddings=True`` removes "embedding" from it (embeddings skip decay by default).
    `patterns` are extra fnmatch globs on qualified names (e.g. ``"*.scale"``) whose tensors get
    reason "pattern". Wrappers (torch.compile, DDP, DataParallel) are looked through.

    Classification reads structure only, never values: it works on the meta device (and on lazy,
    uninitialised parameters). `param_groups` refuses meta tensors (see there).
    """
    model = _check_model(model, "classify")
    cats = _check_categories(no_decay, decay_embeddings)
    pats = _check_patterns(patterns, "patterns")
    declared = _declarations(model)
    order: list[nn.Parameter] = []
    per_tensor: dict[int, list[_Alias]] = {}
    for p, alias in _aliases(model):
        if not p.requires_grad:
            continue
        if id(p) not in per_tensor:
            per_tensor[id(p)] = []
            order.append(p)
        per_tensor[id(p)].append(alias)

    decisions = []
    for p in order:
        aliases = per_tensor[id(p)]
        ruled = [(_rule(p, a, declared, pats), a) for a in aliases]
        (reason, detail), chosen = min(ruled, key=lambda r: REASONS.index(r[0][0]))
        others = [
            f"alias {a.name!r} is {d}" for (r, d), a in ruled if a is not chosen and r != reason
        ]
        if others:
            detail = f"tied to {reason} {chosen.name!r} ({detail}); " + "; ".join(others)
        names = tuple(dict.fromkeys(a.name for a in aliases))
        decisions.append(
            ParamDecision(
                names=names,
                param=p,
                shape=tuple(p.shape),
                decay=reason not in cats,
                reason=reason,
                detail=detail,
                module_type=type(chosen.owner).__name__,
            )
        )
    return decisions


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
        _check_patterns([pat], "overrides keys")
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
    patterns: Iterable[str] = (),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    with_names: bool = False,
) -> list[dict[str, Any]]:
    """Plain torch param-group dicts: decayed tensors get `weight_decay`, the others 0.0.

    Every trainable tensor appears exactly once (tied tensors once), frozen ones never; empty
    groups are omitted. Order: the decay group, the no-decay group, then for each `overrides`
    pattern (in mapping order) its decay and no-decay groups. `overrides` maps an fnmatch glob on
    parameter names to extra group options (``{"head.*": {"lr": 1e-3}}``); a tensor goes to the
    first pattern that matches any of its names. An override's ``weight_decay`` applies to its
    decay group only, so no-decay tensors stay at 0.0. A pattern matching nothing is an error.
    `no_decay`, `decay_embeddings` and `patterns` are those of `classify`.

    ``with_names=True`` adds torch's own ``"param_names"`` key (torch >= 2.6 keeps it through
    `state_dict()`); it is off by default because torch then refuses `add_param_group` of a
    group without names. Raises TypeError/ValueError for a non-module, a bad `weight_decay`, a
    model without trainable parameters, or parameters on the meta device (an optimizer built on
    meta tensors is stale once `to_empty()` materialises new ones).
    """
    _check_model(model, "param_groups")
    check_weight_decay(weight_decay)
    decisions = classify(
        model, no_decay=no_decay, decay_embeddings=decay_embeddings, patterns=patterns
    )
    if not decisions:
        raise ValueError(
            f"{type(model).__name__} has no trainable parameters (none with requires_grad=True); "
            "nothing to optimize - unfreeze some parameters first"
        )
    meta = [d.name for d in decisions if d.param.is_meta]
    if meta:
        raise ValueError(
            f"{len(meta)} parameter(s) are on the meta device (e.g. {meta[0]!r}); materialise the "
            "model first (model.to_empty(device=...) and initialise), then build the groups - "
            "to_empty() creates new tensors, so groups built now would point at stale ones"
        )
    return groups_from_decisions(
        decisions, weight_decay, overrides=overrides, with_names=with_names
    )
