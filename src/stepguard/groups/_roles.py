"""How stepguard recognises a parameter's role: the structural rules behind `grouping.classify`.

Each alias of a tensor (owner module, attribute name, qualified name) gets a (reason, detail) from
`rule_for`; `grouping.classify` combines the aliases of one tensor and applies the no-decay
categories. Wrapper handling (`unwrap`, `clean_name`) lives here too, so every consumer of names
(grouping, summaries, the audit) strips the same prefixes.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["Alias", "aliases", "clean_name", "declarations", "is_lazy", "rule_for", "unwrap"]

Declarations = tuple[list[tuple[str, str]], list[tuple[str, str]]]

# Path segments added by wrappers around (sub)modules; stripped from every reported name.
_WRAPPER_SEGMENTS = frozenset({"_orig_mod", "_fsdp_wrapped_module", "_checkpoint_wrapped_module"})

# Parameters that reference implementations exempt from decay by flag, keyed by owner type-name
# substring. Ports of these models often lose the flag; the owner type keeps the convention.
_CONVENTIONS: dict[str, frozenset[str]] = {"Mamba": frozenset({"A_log", "D", "dt_bias"})}

# _NormBase covers BatchNorm*, SyncBatchNorm, InstanceNorm* and their Lazy variants; RMSNorm
# exists from torch 2.4 on.
_TORCH_NORMS: tuple[type[nn.Module], ...] = tuple(
    cls
    for cls in (
        getattr(nn.modules.batchnorm, "_NormBase", None),
        nn.LayerNorm,
        nn.GroupNorm,
        getattr(nn, "RMSNorm", None),
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
class Alias:
    """One way to reach a tensor: its cleaned qualified name, attribute name and owning module."""

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


def aliases(model: nn.Module) -> Iterator[tuple[nn.Parameter, Alias]]:
    """Every (tensor, alias) pair, in `named_parameters(remove_duplicate=False)` order."""
    for mod_name, module in model.named_modules(remove_duplicate=False):
        for attr, p in module._parameters.items():
            if p is None:
                continue
            full = f"{mod_name}.{attr}" if mod_name else attr
            yield p, Alias(clean_name(full), attr, module)


def declarations(model: nn.Module) -> Declarations:
    """(prefix, name-or-glob) from every `no_weight_decay()`, (prefix, keyword) from `..._keywords()`."""
    names: list[tuple[str, str]] = []
    keywords: list[tuple[str, str]] = []
    cache: dict[tuple[int, str], list[str]] = {}  # a shared submodule is asked once
    for mod_name, module in model.named_modules(remove_duplicate=False):
        prefix = clean_name(mod_name)
        for method, sink in (("no_weight_decay", names), ("no_weight_decay_keywords", keywords)):
            fn = getattr(type(module), method, None)
            if not callable(fn):
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


def _bias_attribute(module: nn.Module) -> object:
    """`module.bias`, or None; a property that raises is not a bias."""
    try:
        return getattr(module, "bias", None)
    except Exception:
        return None


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


def is_lazy(p: torch.Tensor) -> bool:
    """True for a lazy module's not-yet-materialised parameter (its shape is unknown)."""
    return isinstance(p, nn.parameter.UninitializedParameter)


def _shape_text(p: torch.Tensor) -> str:
    return "0-D scalar" if p.ndim == 0 else f"1-D tensor of {p.shape[0]}"


def rule_for(
    p: nn.Parameter,
    alias: Alias,
    declared: Declarations,
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
    # torch's own classes first, so a subclass such as `WeightNormLinear(nn.Linear)` is a Linear;
    # then the type-name conventions for custom classes.
    if isinstance(owner, _TORCH_NORMS):
        return "norm", f"{kind} {attr}"
    if isinstance(owner, (nn.Embedding, nn.EmbeddingBag)) and attr == "weight":
        return "embedding", f"{kind} weight"
    is_bias = attr == "bias" or _is_torch_bias(owner, attr) or _bias_attribute(owner) is p
    if _is_weight_layer(owner):
        return ("bias" if is_bias else "default"), f"{kind} {attr}"
    if "Norm" in kind:
        return "norm", f"{kind} {attr}"
    if "Embedding" in kind:
        return "embedding", f"parameter {attr!r} owned by {kind}"
    if is_bias:
        return "bias", f"{kind} {attr}"
    if is_lazy(p):
        return "default", f"uninitialised lazy tensor owned by {kind}"
    if p.ndim <= 1:
        return "1d", f"{_shape_text(p)} owned by {kind}"
    return "default", f"{p.ndim}-D tensor owned by {kind}"
