"""Role by use: which operations each parameter enters during one forward, and what that says.

`UseTracer` is a TorchDispatchMode. It follows every parameter's value through the aten operations
of one forward: views, copies, casts and functions of the parameter alone (``exp``, ``pad``,
weight normalization, interpolation) keep it "the parameter"; gathering rows with an index tensor
(``embedding``, ``index``, ``index_select``, ``gather``) keeps it too and remembers the gather and
whether the index came from the inputs or from constants. The first operation that combines it with
something else is its *use*, read from the operation and the argument position:

=========== ====================================================================================
use         when
=========== ====================================================================================
weight      an operand of a matrix product (``mm``, ``addmm``, ``bmm``, ``baddbmm``, ``linear``,
            ``_grouped_mm``...) with an activation, the right operand when both are parameters,
            or the weight of a convolution; not a vector (one non-singleton dimension) on the left
            of an activation, which is a learned query scored against keys
added       added to (or subtracted from) an activation, the bias of ``addmm`` / a convolution,
            or an attention mask of scaled-dot-product attention
scale       any other elementwise operation with an activation (``mul``, ``div``, ``lerp``...)
norm        the weight or bias of a fused normalization (``native_layer_norm``, ``_fused_rms_norm``,
            ``native_group_norm``, batch norm), or an elementwise operation on an activation that
            a normalization statistic (``rsqrt``, ``var``, ``linalg_vector_norm``...) just divided
token       used as an activation: concatenated with activations, written into them
            (``index_put``, ``where``, ``masked_fill``), the input of a normalization, a
            convolution, an attention, the left operand of a product with a weight, or a
            vector on the left of a product with an activation (``query @ keys.T``)
other       anything else with an activation (kept as seen, not interpreted)
=========== ====================================================================================

`decide` turns one parameter's uses into a (reason, detail) pair: a gathered parameter is an
embedding (a lookup table or a relative-position table) unless the gathered rows are the weight of
a product and the index came from the inputs (mixture-of-experts weights selected by the router);
a weight use decays ("default"), unless the same tensor is also looked up by the inputs (a tied
embedding and output head: decided as an embedding); otherwise norm, embedding, bias, scale, in
that order. Tensors created inside the forward from buffers and constants are constants, tensors
from outside (the inputs) are activations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.weak import WeakIdKeyDictionary

__all__ = ["Src", "UseKey", "UseTracer", "decide"]


class Src(NamedTuple):
    """How a tracked tensor derives from one parameter: the gather that selected its rows (None
    if none), whether that gather's index came from the inputs, the first function applied, and
    the slice or pad that cut it to a length (None if none)."""

    gather: str | None
    by_input: bool
    via: str | None
    cut: str | None = None


class UseKey(NamedTuple):
    """One observed use of a parameter (see the module docstring for the kinds): the aten
    operation, the argument the parameter was in, and how it derived from the parameter."""

    kind: str
    op: str
    arg: str
    gather: str | None
    by_input: bool
    via: str | None
    cut: str | None = None


Prov = dict[int, Src]

_MM: dict[str, tuple[str | None, str, str]] = {
    # op -> (bias argument, left operand, right operand)
    "mm": (None, "self", "mat2"),
    "bmm": (None, "self", "mat2"),
    "matmul": (None, "self", "other"),
    "dot": (None, "self", "tensor"),
    "vdot": (None, "self", "other"),
    "mv": (None, "self", "vec"),
    "outer": (None, "self", "vec2"),
    "addmm": ("self", "mat1", "mat2"),
    "_addmm_activation": ("self", "mat1", "mat2"),
    "addbmm": ("self", "batch1", "batch2"),
    "baddbmm": ("self", "batch1", "batch2"),
    "addmv": ("self", "mat", "vec"),
    "linear": ("bias", "input", "weight"),
    "_grouped_mm": ("bias", "self", "mat2"),
    "_scaled_mm": ("bias", "self", "mat2"),
}
_NORMS = frozenset(
    {
        "native_layer_norm",
        "layer_norm",
        "native_group_norm",
        "group_norm",
        "native_batch_norm",
        "batch_norm",
        "_native_batch_norm_legit",
        "_native_batch_norm_legit_no_training",
        "_native_batch_norm_legit_functional",
        "_batch_norm_with_update",
        "_batch_norm_no_update",
        "cudnn_batch_norm",
        "miopen_batch_norm",
        "instance_norm",
        "_fused_rms_norm",
        "rms_norm",
    }
)
_GATHERS: dict[str, tuple[str, tuple[str, ...]]] = {
    # op -> (table argument, index arguments)
    "embedding": ("weight", ("indices",)),
    "embedding_bag": ("weight", ("indices", "offsets")),
    "_embedding_bag": ("weight", ("indices", "offsets")),
    "_embedding_bag_forward_only": ("weight", ("indices", "offsets")),
    "index": ("self", ("indices",)),
    "_unsafe_index": ("self", ("indices",)),
    "index_select": ("self", ("index",)),
    "gather": ("self", ("index",)),
    "take": ("self", ("index",)),
    "take_along_dim": ("self", ("indices",)),
}
_CONV_PREFIXES = ("conv", "cudnn_conv", "mkldnn_conv", "miopen_conv", "slow_conv", "thnn_conv")
_CATS = frozenset({"cat", "stack", "concat", "concatenate", "_cat", "hstack", "vstack", "dstack"})
_WRITES = frozenset(
    {
        "index_put",
        "index_put_",
        "_index_put_impl_",
        "_unsafe_index_put",
        "masked_scatter",
        "masked_scatter_",
        "masked_fill",
        "masked_fill_",
        "slice_scatter",
        "select_scatter",
        "diagonal_scatter",
        "as_strided_scatter",
        "copy_",
        "copy",
        "where",
        "index_copy",
        "index_copy_",
        "scatter",
        "scatter_",
    }
)
_ADDS = frozenset({"add", "add_", "sub", "sub_", "rsub"})
# Operations that cut a tensor to a length (a table cut to the sequence) or pad it to one.
_CUTS = frozenset({"slice", "narrow", "constant_pad_nd", "pad"})
_NORM_STATS = frozenset(
    {"rsqrt", "linalg_vector_norm", "norm", "var", "var_mean", "std", "std_mean", "frobenius_norm"}
)
# Copies and casts that change nothing about a value's role (views are recognised by is_view).
_COPIES = frozenset(
    {
        "clone",
        "contiguous",
        "_to_copy",
        "to",
        "detach",
        "lift_fresh",
        "lift_fresh_copy",
        "_unsafe_view",
        "repeat",
        "split",
        "split_with_sizes",
        "unbind",
        "chunk",
        "expand_copy",
        "view_copy",
        "permute_copy",
        "transpose_copy",
        "t_copy",
        "unsqueeze_copy",
        "squeeze_copy",
        "slice_copy",
        "select_copy",
        "alias_copy",
        "native_dropout",
        "dropout",
    }
)


def _family(packet: str, tags: Any) -> str:
    if packet in _MM:
        return "mm"
    if packet.lstrip("_").startswith(_CONV_PREFIXES) and "convert" not in packet:
        return "conv"
    if packet in _NORMS:
        return "norm"
    if packet in _GATHERS:
        return "gather"
    if packet.startswith(("_scaled_dot_product", "scaled_dot_product")):
        return "attention"
    if packet in _CATS:
        return "cat"
    if packet in _WRITES:
        return "write"
    if torch.Tag.pointwise in tags or packet in ("prelu", "_prelu_kernel"):
        return "pointwise"
    return "other"


class _OpInfo(NamedTuple):
    packet: str
    family: str
    names: tuple[str, ...]
    mutable: bool
    seeded: bool
    shape_only: bool


def _union(
    provs: list[Prov],
    via: str | None,
    gather: tuple[str, bool] | None = None,
    cut: str | None = None,
) -> Prov:
    out: Prov = {}
    for prov in provs:
        for key, src in prov.items():
            if gather is not None:
                src = src._replace(gather=gather[0], by_input=gather[1])
            if via is not None and src.via is None:
                src = src._replace(via=via)
            if cut is not None and src.cut is None:
                src = src._replace(cut=cut)
            old = out.get(key)
            if old is None or (old.gather is None and src.gather is not None):
                out[key] = src
    return out


class _IdStore:
    """A dict keyed by tensor identity that keeps its keys alive (so ids are never reused)."""

    def __init__(self) -> None:
        self._d: dict[int, tuple[torch.Tensor, Any]] = {}

    def get(self, t: torch.Tensor, default: Any = None) -> Any:
        hit = self._d.get(id(t))
        return default if hit is None else hit[1]

    def __setitem__(self, t: torch.Tensor, value: Any) -> None:
        self._d[id(t)] = (t, value)

    def __contains__(self, t: torch.Tensor) -> bool:
        return id(t) in self._d

    def pop(self, t: torch.Tensor, default: Any = None) -> Any:
        hit = self._d.pop(id(t), None)
        return default if hit is None else hit[1]


class UseTracer(TorchDispatchMode):
    """Records, per tracked parameter, the uses (`UseKey` -> count) of one forward.

    `track(param, key)` registers a parameter under `key` (its identity in the caller's terms);
    `constant(t)` marks a buffer. `inside` says whether the model's forward is running (tensors
    created outside it, by the caller's input code, are activations; inside it, constants).
    """

    def __init__(self, *, keep_alive: bool = False) -> None:
        super().__init__()
        self.uses: dict[int, dict[UseKey, int]] = {}
        self.inside = True
        # keep_alive (meta runs, where tensors cost no memory) holds every tracked tensor until
        # the tracer goes, which makes the lookups plain dict lookups by id
        store: type = _IdStore if keep_alive else WeakIdKeyDictionary
        self._prov: Any = store()
        self._const: Any = store()
        # activation -> (statistic op, stage): 0 normalized, 1 after one elementwise parameter op
        self._normed: Any = store()
        self._info: dict[Any, _OpInfo] = {}
        self._params: Any = store()
        self._vectors: set[int] = set()  # parameters with at most one non-singleton dimension

    def track(self, param: torch.Tensor, key: int) -> None:
        self._prov[param] = {key: Src(None, False, None)}
        self._params[param] = key
        if sum(1 for d in param.shape if d != 1) <= 1:
            self._vectors.add(key)

    def constant(self, t: torch.Tensor) -> None:
        self._const[t] = True

    def _op(self, func: Any) -> _OpInfo:
        info = self._info.get(func)
        if info is None:
            packet = func.overloadpacket.__name__
            schema = func._schema
            info = _OpInfo(
                packet,
                _family(packet, func.tags),
                tuple(a.name for a in schema.arguments),
                schema.is_mutable,
                torch.Tag.nondeterministic_seeded in func.tags,
                bool(getattr(func, "is_view", False)) or packet in _COPIES,
            )
            self._info[func] = info
        return info

    def _record(self, prov: Prov, kind: str, op: str, arg: str) -> None:
        for key, src in prov.items():
            use = UseKey(kind, op, arg, src.gather, src.by_input, src.via, src.cut)
            seen = self.uses.setdefault(key, {})
            seen[use] = seen.get(use, 0) + 1

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        info = self._op(func)
        # (argument name, tensor) for every tensor argument, lists flattened
        named: list[tuple[str, torch.Tensor]] = []
        for i, a in enumerate(args):
            name = info.names[i] if i < len(info.names) else str(i)
            _collect(named, name, a)
        for name, a in kwargs.items():
            _collect(named, name, a)
        provs: dict[str, list[Prov]] = {}
        activation = False
        constant = True
        normed: tuple[str, int] | None = None
        # a gather's index does not make the gathered table "used with an activation"
        indices = _GATHERS[info.packet][1] if info.family == "gather" else ()
        for name, t in named:
            prov = self._prov.get(t)
            if prov is not None:
                provs.setdefault(name, []).append(prov)
                continue
            if t not in self._const:
                constant = False
                if name not in indices:
                    activation = True
                    normed = normed or self._normed.get(t)
        outputs = [t for t in _tensors(out) if t not in self._params]
        if info.mutable and named and named[0][1] not in self._params:
            outputs.append(named[0][1])
        if not provs:
            self._mark_plain(outputs, info, activation, constant, normed, named)
            return out
        if not activation:
            # rows looked up by the inputs are an activation to every other parameter they meet
            looked_up = {k for ps in provs.values() for p in ps for k, s in p.items() if s.by_input}
            if looked_up and any(
                k not in looked_up for ps in provs.values() for p in ps for k in p
            ):
                activation = True
        if not activation and not self._gives_roles(info, provs):
            # a function of parameters and constants only: still "the parameters"
            gather = self._gather(info, provs, named)
            via = None if info.shape_only or info.family == "gather" else info.packet
            table = _GATHERS[info.packet][0] if gather is not None else None
            source = [p for n, ps in provs.items() if gather is None or n == table for p in ps]
            if gather is not None and not source:
                source = [p for ps in provs.values() for p in ps]
            cut = None
            if info.packet in _CUTS and outputs and named and outputs[0].shape != named[0][1].shape:
                cut = info.packet
            merged = _union(source, via, gather, cut)
            for t in outputs:
                self._prov[t] = merged
                self._const.pop(t, None)
            return out
        self._uses(info, provs, normed)
        for t in outputs:
            self._prov.pop(t, None)
            self._const.pop(t, None)
            if normed is not None and normed[1] == 0 and info.family == "pointwise":
                self._normed[t] = (normed[0], 1)
            else:
                self._normed.pop(t, None)
        return out

    def _mark_plain(
        self,
        outputs: list[torch.Tensor],
        info: _OpInfo,
        activation: bool,
        constant: bool,
        normed: tuple[str, int] | None,
        named: list[tuple[str, torch.Tensor]],
    ) -> None:
        is_constant = constant and self.inside and not info.seeded
        stat = (info.packet, 0) if activation and info.packet in _NORM_STATS else normed
        inputs = {id(t) for _, t in named} if info.mutable or info.packet == "lift_fresh" else ()
        for t in outputs:
            if id(t) in inputs:  # an input written in place: forget what it was
                self._prov.pop(t, None)
                self._const.pop(t, None)
                self._normed.pop(t, None)
            # other outputs are new tensors, in none of the stores yet
            if is_constant:
                self._const[t] = True
            if stat is not None:
                self._normed[t] = stat

    def _gives_roles(self, info: _OpInfo, provs: dict[str, list[Prov]]) -> bool:
        """True when an operation without activations still uses its parameters as what they
        are: a layer applied to constant data (a position-bias MLP over fixed coordinates), or
        parameters meeting each other in roles (a learned query times a weight, a learned token
        through a normalization with the norm's own weight)."""
        if info.family == "mm":  # the right operand is a weight; a parameter alone on the left
            _, _, right = _MM[info.packet]  # times a constant is a function of it (table @ basis)
            return right in provs
        if info.family == "norm":
            return "weight" in provs or "bias" in provs
        if info.family == "conv":
            return "weight" in provs
        if info.family == "attention":
            return any(n in provs for n in ("query", "key", "value"))
        return False

    def _gather(
        self, info: _OpInfo, provs: dict[str, list[Prov]], named: list[tuple[str, torch.Tensor]]
    ) -> tuple[str, bool] | None:
        if info.family != "gather":
            return None
        table, index_names = _GATHERS[info.packet]
        if table not in provs:
            return None
        by_input = any(
            n in index_names and t not in self._const and self._prov.get(t) is None
            for n, t in named
        )
        return info.packet, by_input

    def _uses(
        self, info: _OpInfo, provs: dict[str, list[Prov]], normed: tuple[str, int] | None
    ) -> None:
        op, family = info.packet, info.family
        for name, ps in provs.items():
            prov = _union(ps, None)
            if family == "mm":
                bias, left, right = _MM[op]
                if name == bias:
                    kind = "added"
                elif name == left and (right in provs or prov.keys() <= self._vectors):
                    # the left operand times a weight, or a learned query vector against keys
                    kind = "token"
                else:
                    kind = "weight"
            elif family == "conv":
                kind = {"weight": "weight", "bias": "added"}.get(name, "token")
            elif family == "norm":
                kind = "norm" if name in ("weight", "bias") else "token"
            elif family == "attention":
                kind = "added" if name in ("attn_mask", "attn_bias") else "token"
            elif family in ("cat", "write"):
                kind = "token"
            elif family == "pointwise":
                if normed is not None:
                    kind = "norm"
                elif op in _ADDS:
                    kind = "added"
                else:
                    kind = "scale"
            else:  # a gather of activations by a parameter, or an operation not read here
                kind = "other"
            label = op
            if kind == "norm" and family == "pointwise" and normed is not None:
                label = f"{op} after aten.{normed[0]}"
            self._record(prov, kind, label, name)


def _collect(named: list[tuple[str, torch.Tensor]], name: str, a: Any) -> None:
    if isinstance(a, torch.Tensor):
        named.append((name, a))
    elif isinstance(a, (list, tuple)):
        for x in a:
            if isinstance(x, torch.Tensor):
                named.append((name, x))


def _tensors(out: Any) -> Iterator[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        yield out
    elif isinstance(out, (list, tuple)):
        for x in out:
            if isinstance(x, torch.Tensor):
                yield x


_KIND_TEXT = {
    "added": "added",
    "scale": "combined elementwise",
    "token": "used as an activation",
    "other": "entered",
}


def _text(use: UseKey) -> tuple[str, str | None]:
    """(words, reason) for one use; reason None when the use is not interpreted."""
    op = f"aten.{use.op}"
    via = f" after aten.{use.via}" if use.via else ""
    if use.kind == "weight":
        what = "conv weight" if "conv" in use.op else "mm weight"
        if use.cut is not None:
            return (
                f"cut to the input's length by aten.{use.cut}, then an operand of {op} (a "
                "relative-position table: a weight is never cut to the input)",
                "embedding",
            )
        if use.gather is not None and not use.by_input:
            return (
                f"indexed by aten.{use.gather} at fixed positions, then an operand of {op}{via}",
                "embedding",
            )
        if use.gather is not None:
            return f"{what} ({op}), rows selected by aten.{use.gather}{via}", "default"
        return f"{what} ({op}){via}", "default"
    if use.gather is not None:
        fixed = "" if use.by_input else " at fixed positions"
        return f"indexed by aten.{use.gather}{fixed}{via}", "embedding"
    if use.cut is not None and use.kind == "added":
        return f"cut to the input's length by aten.{use.cut}, then added{via}", "embedding"
    if use.kind == "norm":
        if " after " in use.op:
            return f"scales a normalized activation (aten.{use.op}){via}", "norm"
        return f"{use.arg} of {op}{via}", "norm"
    if use.kind == "scale" and use.op in ("mul", "mul_", "div", "div_"):
        return f"multiplied elementwise ({op}){via}", "scale"
    reason = {"added": "bias", "scale": "scale", "token": "embedding"}.get(use.kind)
    if use.kind == "token":
        return f"used as an activation ({op}: a learned token or query){via}", "embedding"
    return f"{_KIND_TEXT[use.kind]} ({op}){via}", reason


_PRIORITY = ("norm", "embedding", "bias", "scale")


def decide(uses: dict[UseKey, int]) -> tuple[str | None, str]:
    """(reason, detail) for one parameter's uses; reason None when no use is interpreted (the
    detail then lists what was seen)."""
    texts = [(_text(u), n, u) for u, n in uses.items()]
    texts.sort(key=lambda t: -t[1])
    known = [(words, reason, u) for (words, reason), _, u in texts if reason is not None]
    if not known:
        seen = ", ".join(dict.fromkeys(words for (words, _), _, _ in texts))
        return None, f"use: {seen} (not interpreted)"
    weights = [k for k in known if k[1] == "default"]
    lookups = [k for k in known if k[2].gather is not None and k[2].by_input and k[1] != "default"]
    if weights and lookups:
        return "embedding", (
            f"use: {lookups[0][0]} and {weights[0][0]} (a tied embedding and output head, "
            "decided as an embedding)"
        )
    if weights:
        chosen = weights[0]
    else:
        chosen = min(known, key=lambda k: _PRIORITY.index(k[1]) if k[1] in _PRIORITY else 99)
    others = list(dict.fromkeys(k[0] for k in known if k[0] != chosen[0]))
    detail = f"use: {chosen[0]}"
    if others:
        shown = "; ".join(others[:2])
        more = f" (+{len(others) - 2} more)" if len(others) > 2 else ""
        detail += f"; also {shown}{more}"
    return chosen[1], detail
