"""How stepguard recognises a parameter's role from the model's structure: the rules behind `classify`.

Each alias of a tensor (owner module, attribute name, qualified name) gets a `Rule` from `rule_for`;
`classify` combines the aliases of one tensor and applies the no-decay categories. The rules read
structure only (module types, attribute identity, the tensor's shape, the owner's other tensors and
buffers), never values, so they run on the meta device. Name patterns are a fallback, used only when
the structure says nothing, and the matched pattern is quoted in the reason. Wrapper handling
(`unwrap`, `clean_name`) lives here too, so every consumer of names strips the same prefixes.
"""

from __future__ import annotations

import fnmatch
import functools
import inspect
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

__all__ = [
    "FALLBACK_PATTERNS",
    "Alias",
    "Rule",
    "aliases",
    "all_modules",
    "clean_name",
    "declarations",
    "is_lazy",
    "rule_for",
    "unwrap",
]

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
    nn.RNNCellBase,
)
# Layer classes outside torch recognised by type name (no import of their library needed).
_WEIGHT_LAYER_NAMES = frozenset({"Conv1D"})
# Containers whose tensors take the role of the attribute that holds the container.
_CONTAINERS = (nn.ParameterList, nn.ParameterDict)
_LAZY: type = getattr(nn.parameter, "UninitializedTensorMixin", nn.parameter.UninitializedParameter)

# Fallback name patterns (fnmatch, on the lower-cased attribute name; for a ParameterList /
# ParameterDict element, the container's attribute name), tried only for tensors whose structure
# decides nothing: no torch layer, norm or embedding owns them, no bias attribute is them, and
# their shape has two or more non-singleton dimensions (or is a (D, 1) column). First match wins.
FALLBACK_PATTERNS: tuple[tuple[str, str], ...] = (
    # position and relative-position tables, learned tokens and queries: embeddings
    *(
        (pattern, "embedding")
        for pattern in (
            "*pos_emb*",
            "*pos_enc*",
            "*position_emb*",
            "*position_enc*",
            "*positional_emb*",
            "*positional_enc*",
            "*rel_pos*",
            "*relative_pos*",
            "*emb_rel*",
            "*attention_biases",
            "*position_bias*",
            "*token",
            "*tokens",
            "*_emb",
            "*_embed",
            "*_embeds",
            "*_embedding",
            "*_embeddings",
            "*embedding_parameter",
            "*latents*",
            "*latent_query",
            "query",
            "queries",
            "*_query",
            "*_queries",
            "probe",
            "prompt",
            "prompts",
            "*_prompt",
            "*_prompts",
            "*no_object*",
            "*no_memory*",
        )
    ),
    # biases under other names (relative-attention biases, per-expert and per-head biases)
    *((pattern, "bias") for pattern in ("*bias*", "b", "b[0-9]*", "translate", "shift", "offset")),
)

# Words that name a matrix: a name holding one is never read as a table or token
# (`prompts_visual_projection`).
_MATRIX_WORDS = ("proj", "weight", "kernel")

# Calls in a module's forward that show it normalizes its input (Global Response Normalization,
# hand-written RMS/L2 norms): used to recognise norm layers whose class name says nothing.
_NORMALIZING_CALL = re.compile(
    r"\.norm\(|vector_norm\(|\.var\(|\.std\(|rsqrt\(|\bnormalize\(|layer_norm\(|group_norm\(|rms_norm\("
)


class Rule(NamedTuple):
    """One alias's verdict: `reason` (a category of `REASONS`), `detail` in words, and how sure
    the structure is: "explicit" (the user or the model declared it), "type" (a torch class or a
    torch convention says it), "heuristic" (a type-name convention, a shape or a name pattern;
    role-by-use overrides these)."""

    reason: str
    detail: str
    strength: str


@dataclass(frozen=True)
class Alias:
    """One way to reach a tensor: its cleaned qualified name, attribute name and owning module.

    `role_owner` / `role_attr` are the module and attribute whose role the tensor plays: the
    owner itself, except for a ParameterList/ParameterDict element (the module holding the
    container, and the container's name) and a parametrization's ``original`` tensors (the
    parametrized module and attribute). `parametrization` is the first parametrization module of
    a ``parametrizations.<attr>`` list (None otherwise).
    """

    name: str
    attr: str
    owner: nn.Module
    role_owner: nn.Module
    role_attr: str
    parametrization: nn.Module | None = None


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
    if "_orig_mod" not in name and "_wrapped_module" not in name:
        return name
    return ".".join(s for s in name.split(".") if s not in _WRAPPER_SEGMENTS)


Modules = list[tuple[str, nn.Module]]


def all_modules(model: nn.Module) -> Modules:
    """``model.named_modules(remove_duplicate=False)`` as a list (walked once per classify)."""
    return list(model.named_modules(remove_duplicate=False))


def aliases(
    model: nn.Module, walked: Modules | None = None
) -> Iterator[tuple[nn.Parameter, Alias]]:
    """Every (tensor, alias) pair, in `named_parameters(remove_duplicate=False)` order."""
    modules: dict[str, nn.Module] = {}
    for mod_name, module in walked if walked is not None else all_modules(model):
        modules[mod_name] = module
        if not module._parameters:
            continue
        role_owner, role_attr, parametrization = module, "", None
        parent_name, _, own_attr = mod_name.rpartition(".")
        if isinstance(module, _CONTAINERS) and mod_name:
            role_owner, role_attr = modules.get(parent_name, module), own_attr
        elif type(module).__name__ == "ParametrizationList" and parent_name.endswith(
            "parametrizations"
        ):
            holder = parent_name.rpartition(".")[0] if "." in parent_name else ""
            role_owner, role_attr = modules.get(holder, module), own_attr
            parametrization = next(iter(module.children()), None)
        for attr, p in module._parameters.items():
            if p is None:
                continue
            full = f"{mod_name}.{attr}" if mod_name else attr
            yield (
                p,
                Alias(
                    clean_name(full),
                    attr,
                    module,
                    role_owner,
                    role_attr or attr,
                    parametrization,
                ),
            )


def declarations(model: nn.Module, walked: Modules | None = None) -> Declarations:
    """(prefix, name-or-glob) from every `no_weight_decay()`, (prefix, keyword) from `..._keywords()`."""
    names: list[tuple[str, str]] = []
    keywords: list[tuple[str, str]] = []
    cache: dict[tuple[int, str], list[str]] = {}  # a shared submodule is asked once
    for mod_name, module in walked if walked is not None else all_modules(model):
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
    return isinstance(module, (nn.RNNBase, nn.RNNCellBase)) and attr.startswith("bias_")


def _relative(name: str, prefix: str) -> str | None:
    if not prefix:
        return name
    return name[len(prefix) + 1 :] if name.startswith(prefix + ".") else None


def is_lazy(p: torch.Tensor) -> bool:
    """True for a lazy module's not-yet-materialised parameter (its shape is unknown)."""
    # the mixin: a plain class, so isinstance skips Parameter's slow metaclass check
    return isinstance(p, _LAZY)


def _shape(p: torch.Tensor) -> tuple[int, ...]:
    return tuple(p.shape)


def _shape_text(shape: tuple[int, ...]) -> str:
    if not shape:
        return "0-D scalar"
    if len(shape) == 1:
        return f"1-D tensor of {shape[0]}"
    return f"({', '.join(map(str, shape))}) tensor"


def _non_singleton(shape: tuple[int, ...]) -> int:
    return sum(1 for s in shape if s != 1)


def _is_column(shape: tuple[int, ...]) -> bool:
    """A (D, 1) matrix: a one-output projection (x @ w), or a per-channel vector of
    channels-first data; an elementwise-only owner decides for the vector."""
    return len(shape) == 2 and shape[1] == 1 and shape[0] > 1


def _explicit(
    p: nn.Parameter, alias: Alias, declared: Declarations, patterns: tuple[str, ...]
) -> Rule | None:
    """The user's and the model's own declarations, and reference-implementation conventions."""
    name, attr, kind = alias.name, alias.attr, type(alias.owner).__name__
    if getattr(p, "_no_weight_decay", False) is True:
        return Rule("tensor-flag", "tensor attribute _no_weight_decay = True", "explicit")
    names, keywords = declared
    for prefix, decl in names:
        rel = _relative(name, prefix)
        if rel is not None and (rel == decl or fnmatch.fnmatchcase(rel, decl)):
            where = f"{prefix}.no_weight_decay()" if prefix else "model.no_weight_decay()"
            return Rule("declared", f"{where} lists {decl!r}", "explicit")
    for prefix, kw in keywords:
        rel = _relative(name, prefix)
        if rel is not None and kw in rel:
            where = (
                f"{prefix}.no_weight_decay_keywords()"
                if prefix
                else "model.no_weight_decay_keywords()"
            )
            return Rule("declared", f"{where} has {kw!r}", "explicit")
    for pat in patterns:
        if fnmatch.fnmatchcase(name, pat):
            return Rule("pattern", f"matches pattern {pat!r}", "explicit")
    for type_part, attrs in _CONVENTIONS.items():
        if type_part in kind and attr in attrs:
            detail = f"{kind}.{attr} (the reference implementation flags it no-decay)"
            return Rule("convention", detail, "explicit")
    return None


def _weight_norm(p: nn.Parameter, alias: Alias) -> Rule | None:
    """Weight normalization, w = g * v / ||v||: the magnitude g is a per-channel gain (no decay,
    like a norm layer's weight); the direction v is the layer's weight matrix."""
    owner, attr, kind = alias.role_owner, alias.attr, type(alias.role_owner).__name__
    if alias.parametrization is not None:
        if type(alias.parametrization).__name__ != "_WeightNorm":
            return None
        where = f"parametrizations.{alias.role_attr}"
        if attr == "original0":
            detail = f"weight-norm magnitude g of {kind}.{alias.role_attr} ({where}.original0)"
            return Rule("norm", detail, "type")
        return None
    for hook in owner._forward_pre_hooks.values() if owner._forward_pre_hooks else ():
        hook_name = getattr(hook, "name", None)
        if type(hook).__name__ == "WeightNorm" and attr == f"{hook_name}_g":
            return Rule("norm", f"weight-norm magnitude g of {kind}.{hook_name}", "type")
    return None


def _weight_norm_direction(alias: Alias) -> str | None:
    """The parametrized attribute when `alias` is a weight-norm direction v (or any other
    parametrization's ``original``), else None."""
    if alias.parametrization is not None and alias.attr in ("original", "original1"):
        return alias.role_attr
    for hook in alias.owner._forward_pre_hooks.values() if alias.owner._forward_pre_hooks else ():
        hook_name = getattr(hook, "name", None)
        if type(hook).__name__ == "WeightNorm" and alias.attr == f"{hook_name}_v":
            return str(hook_name)
    return None


# the weights of torch layers not named weight* (nn.MultiheadAttention's)
_LAYER_WEIGHTS = frozenset({"in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"})
_TYPE_KINDS: weakref.WeakKeyDictionary[type, str] = weakref.WeakKeyDictionary()


def _type_kind(module: nn.Module) -> str:
    """ "norm", "embedding", "layer" (a torch layer with a weight) or "" for `module`'s class."""
    cls = type(module)
    kind = _TYPE_KINDS.get(cls)
    if kind is None:
        if isinstance(module, _TORCH_NORMS):
            kind = "norm"
        elif isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
            kind = "embedding"
        elif _is_weight_layer(module):
            kind = "layer"
        else:
            kind = ""
        _TYPE_KINDS[cls] = kind
    return kind


def _by_type(p: nn.Parameter, alias: Alias, attr: str) -> Rule | None:
    """torch's own classes: norms, embeddings, layers with a weight and a bias."""
    owner = alias.role_owner
    kind = _type_kind(owner)
    if not kind:
        return None
    name = type(owner).__name__
    if kind == "norm":
        return Rule("norm", f"{name} {attr}", "type")
    if kind == "embedding":
        return Rule("embedding", f"{name} weight", "type") if attr == "weight" else None
    is_bias = attr == "bias" or (
        attr != "weight" and (_is_torch_bias(owner, attr) or _bias_attribute(owner) is p)
    )
    if not is_bias and not attr.startswith("weight") and attr not in _LAYER_WEIGHTS:
        # a tensor a subclass adds to a torch layer (a head's logit_scale) is not the layer's
        return None
    return Rule("bias" if is_bias else "default", f"{name} {attr}", "type")


# per-class caches, weak so that classes created on the fly (parametrize makes one per module)
# are not kept alive by them
_NORMALIZING: weakref.WeakKeyDictionary[type, bool] = weakref.WeakKeyDictionary()


def _normalizes(module: nn.Module) -> bool:
    """True when `module`'s forward calls a normalizing primitive (norm, var, rsqrt, normalize)."""
    cls = type(module)
    if cls not in _NORMALIZING:
        try:
            source = inspect.getsource(cls.forward)
        except (OSError, TypeError):
            source = ""
        _NORMALIZING[cls] = bool(_NORMALIZING_CALL.search(source))
    return _NORMALIZING[cls]


_AFFINE_NAMES = frozenset({"weight", "bias", "gamma", "beta", "scale", "shift", "g", "b"})


def _affine_leaf(owner: nn.Module) -> bool:
    """Tensors with affine names only (weight, bias, gamma, beta, scale, shift): with a
    normalizing forward, an elementwise leaf is then a normalization layer."""
    return all(n.lower() in _AFFINE_NAMES for n, t in owner._parameters.items() if t is not None)


def _elementwise_leaf(owner: nn.Module) -> bool:
    """A module with no parametrized children whose own tensors are all per-channel vectors
    (at most one non-singleton dimension): it can only scale, shift or gate elementwise."""
    shapes = [_shape(t) for t in owner._parameters.values() if t is not None and not is_lazy(t)]
    if not shapes or any(_non_singleton(s) > 1 for s in shapes):
        return False
    return not any(True for m in owner.children() if any(True for _ in m.parameters()))


def _sibling_bias(owner: nn.Module, attr: str, shape: tuple[int, ...]) -> str | None:
    """The name of a stack of matrices (a >= 3-D raw tensor, none of its first and last two
    dimensions 1, not named as a table) of `owner` whose shape is `shape` plus one of its last
    two dimensions: `attr` is that stacked weight's bias (per expert, per head, per block)."""
    found = []
    for other, t in owner._parameters.items():
        if other == attr or t is None or is_lazy(t) or t.ndim != len(shape) + 1 or t.ndim < 3:
            continue
        w = _shape(t)
        matrices = w[-1] > 1 and w[-2] > 1 and w[0] > 1
        table = (_fallback(other) or ("", ""))[0] == "embedding"
        if matrices and not table and (w[:-1] == shape or w[:-2] + w[-1:] == shape):
            found.append(other)
    # several stacks fit: the one whose name shares most with the bias's (down_proj_bias)
    return max(found, key=lambda other: _common_prefix(other, attr), default=None)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of `a` and `b`."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _index_buffer(owner: nn.Module, attr: str) -> str | None:
    """An integer buffer of `owner` sharing a leading word with `attr` (a table and its index,
    as Swin's relative_position_bias_table and relative_position_index)."""
    for name, b in owner._buffers.items() if owner._buffers else ():
        if b is None or b.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
            continue
        stem = attr[: _common_prefix(name, attr)].rpartition("_")[0]
        if len(stem) >= 4:
            return name
    return None


@functools.lru_cache(maxsize=4096)
def _fallback(attr: str) -> tuple[str, str] | None:
    lowered = attr.lower()
    matrix = any(word in lowered for word in _MATRIX_WORDS)
    for pattern, reason in FALLBACK_PATTERNS:
        if matrix and reason == "embedding":
            continue
        if fnmatch.fnmatchcase(lowered, pattern):
            return reason, pattern
    return None


def _by_role_in_module(p: nn.Parameter, alias: Alias, attr: str) -> Rule:
    """Tensors of modules that are no torch layer: type-name conventions, the bias attribute,
    the tensor's place among the owner's tensors and buffers, its shape, then name patterns."""
    owner = alias.role_owner
    kind = type(owner).__name__
    if "Norm" in kind:
        return Rule("norm", f"{kind} {attr}", "heuristic")
    if "Embedding" in kind:
        return Rule("embedding", f"parameter {attr!r} owned by {kind}", "heuristic")
    if attr == "bias" or _bias_attribute(owner) is p:
        return Rule("bias", f"{kind} {attr}", "heuristic")
    if is_lazy(p):
        return Rule("default", f"uninitialised lazy tensor owned by {kind}", "heuristic")
    shape = _shape(p)
    what = f"{_shape_text(shape)} owned by {kind}"
    vector = _non_singleton(shape) <= 1
    leaf = vector and _elementwise_leaf(owner)
    if leaf and _affine_leaf(owner) and _normalizes(owner):
        detail = f"{kind} {attr}: {kind}.forward normalizes (a normalization layer by behaviour)"
        return Rule("norm", detail, "heuristic")
    if vector and (leaf or not _is_column(shape)):
        if len(shape) > 1:
            what += ": one non-singleton dimension (a per-channel vector)"
        return Rule("1d", what, "heuristic")
    stacked = _sibling_bias(owner, attr, shape)
    if stacked is not None:
        detail = f"{what}: the bias of {stacked!r} (its shape without the input dimension)"
        return Rule("bias", detail, "heuristic")
    index = _index_buffer(owner, attr)
    if index is not None:
        return Rule("embedding", f"{what}: a table indexed by buffer {index!r}", "heuristic")
    if len(shape) >= 3 and shape[0] == 1:
        detail = (
            f"{what}: a leading broadcast dimension, the shape of an activation "
            "(position embedding or learned tokens)"
        )
        return Rule("embedding", detail, "heuristic")
    found = _fallback(alias.role_attr)
    if found is not None:
        reason, pattern = found
        return Rule(reason, f"{what}: name matches fallback pattern {pattern!r}", "heuristic")
    if _is_column(shape):
        return Rule("default", f"{what}: a (D, 1) column, as a projection x @ w", "heuristic")
    return Rule("default", f"{len(shape)}-D tensor owned by {kind}", "heuristic")


def rule_for(
    p: nn.Parameter,
    alias: Alias,
    declared: Declarations,
    patterns: tuple[str, ...],
) -> Rule:
    """The structural `Rule` for one alias of a tensor."""
    explicit = _explicit(p, alias, declared, patterns)
    if explicit is not None:
        return explicit
    norm = _weight_norm(p, alias)
    if norm is not None:
        return norm
    # A parametrization's tensor (or a weight-norm direction) plays the parametrized attribute's
    # role; a container element plays the container's.
    attr = _weight_norm_direction(alias) or (
        alias.attr if alias.role_owner is alias.owner else alias.role_attr
    )
    # torch's own classes first, so a subclass such as `WeightNormLinear(nn.Linear)` is a Linear;
    # then the type-name conventions and the role in the module for custom classes.
    typed = _by_type(p, alias, attr)
    if typed is not None:
        return typed
    return _by_role_in_module(p, alias, attr)
