"""One observed forward for role-by-use, leaving the model as it was.

`observe(model, example_inputs)` runs one forward under `UseTracer` and returns each parameter's
uses. It first runs on the meta device: every parameter and buffer is swapped for a meta tensor of
the same shape and dtype (tied tensors stay tied), tensor inputs are moved to meta and factory
calls default to meta, so nothing is computed and no memory is used. When that forward needs values
(data-dependent control flow, ``.item()``, ``nonzero`` in a router) and the model's own tensors are
real, it runs once more on the model's own tensors with the given inputs, under ``torch.no_grad()``.
Either way the model ends as it began: the swapped tensors are put back (a real forward runs on
copies of the buffers, so BatchNorm statistics and counters it writes are thrown away), every
module attribute the forward rebinds (``training``, caches, recomputed weights) is restored, and
the CPU / CUDA / Python random states are restored. The forward runs in eval mode,
so dropout and layer drop hide no parameter; the model's own hooks run (once) as in any forward.
"""

from __future__ import annotations

import contextlib
import random
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from stepguard.groups._roles import is_lazy
from stepguard.groups._use import UseKey, UseTracer

__all__ = ["ExampleInputs", "Observation", "check_example_inputs", "observe"]

ExampleInputs = (
    torch.Tensor | tuple[Any, ...] | list[Any] | Mapping[str, Any] | Callable[[nn.Module], Any]
)

_HOW = (
    "pass a tensor (model(x)), a tuple of positional arguments (model(*args)), a dict of keyword "
    "arguments (model(**kwargs)) or a callable that runs one forward (fn(model))"
)


@dataclass
class Observation:
    """The uses of each parameter (keyed by ``id(parameter)``) in one forward, and where it ran:
    ``"meta"`` or the model's device type; `meta_error` says why the meta forward failed."""

    uses: dict[int, dict[UseKey, int]]
    device: str
    meta_error: str | None = None


def check_example_inputs(example_inputs: object) -> None:
    """TypeError unless `example_inputs` is something `observe` can run."""
    if isinstance(example_inputs, nn.Module):
        raise TypeError(f"example_inputs must be the model's inputs, not a module; {_HOW}")
    runnable = isinstance(example_inputs, (torch.Tensor, tuple, list, Mapping)) or callable(
        example_inputs
    )
    if isinstance(example_inputs, (str, bytes)) or not runnable:
        raise TypeError(f"example_inputs: got {type(example_inputs).__name__}; {_HOW}")


def _to_meta(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.to("meta")
    if isinstance(obj, Mapping):
        return {k: _to_meta(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(_to_meta(v) for v in obj)
    if isinstance(obj, list):
        return [_to_meta(v) for v in obj]
    return obj


def _call(model: nn.Module, inputs: Any) -> Any:
    if isinstance(inputs, torch.Tensor):
        return model(inputs)
    if isinstance(inputs, Mapping):
        return model(**inputs)
    if isinstance(inputs, (tuple, list)):
        return model(*inputs)
    return inputs(model)


def _meta_twin(t: torch.Tensor) -> torch.Tensor:
    try:
        twin = torch.empty_like(t, device="meta")
    except Exception:  # tensor subclasses (DTensor, quantized) without a meta empty_like
        twin = torch.empty(tuple(t.shape), dtype=t.dtype, device="meta")
    if isinstance(t, nn.Parameter):
        return nn.Parameter(twin, requires_grad=t.requires_grad)
    return twin


@contextlib.contextmanager
def _swapped_to_meta(model: nn.Module, tracer: UseTracer) -> Iterator[None]:
    """Every parameter and buffer entry replaced by a meta twin (one twin per tensor), put back
    on exit whatever happens."""
    twins: dict[int, torch.Tensor] = {}
    swapped: list[tuple[dict[str, Any], str, torch.Tensor]] = []
    try:
        for module in model.modules():
            stores: tuple[tuple[dict[str, Any], bool], ...] = (
                (module._parameters, True),
                (module._buffers, False),
            )
            for store, is_param in stores:
                for name, t in list(store.items()):
                    if t is None:
                        continue
                    twin = twins.get(id(t))
                    if twin is None:
                        # a parameter already on meta holds no data: it is its own twin
                        own = is_param and t.is_meta
                        twin = twins[id(t)] = t if own else _meta_twin(t)
                        if is_param:
                            tracer.track(twin, id(t))
                        else:
                            tracer.constant(twin)
                    if twin is not t:
                        swapped.append((store, name, t))
                        store[name] = twin
        yield
    finally:
        for store, name, t in reversed(swapped):
            store[name] = t


@contextlib.contextmanager
def _buffer_copies(model: nn.Module, tracer: UseTracer) -> Iterator[None]:
    """For a real forward: every buffer entry replaced by a copy (a forward that writes its
    buffers, BatchNorm statistics or counters, writes the copies), the originals put back."""
    copies: dict[int, torch.Tensor] = {}
    swapped: list[tuple[dict[str, Any], str, torch.Tensor]] = []
    try:
        for module in model.modules():
            for name, buf in list(module._buffers.items()):
                if buf is None:
                    continue
                twin = copies.get(id(buf))
                if twin is None:
                    twin = copies[id(buf)] = buf.detach().clone()
                    tracer.constant(twin)
                swapped.append((module._buffers, name, buf))
                module._buffers[name] = twin
        yield
    finally:
        for store, name, buf in reversed(swapped):
            store[name] = buf


@contextlib.contextmanager
def _restored(model: nn.Module) -> Iterator[None]:
    """Module attributes the forward rebinds (``training``, caches, a recomputed ``weight``) and
    the random states, all as they were on exit; a warning if a parameter was written in place
    (a real forward that modifies its own parameters cannot be undone)."""
    modules = list(model.modules())
    attrs = [(m, dict(m.__dict__)) for m in modules]
    params = {id(p): (n, p, p._version) for n, p in model.named_parameters()}
    devices = sorted(
        {p.device.index or 0 for _, p, _ in params.values() if p.device.type == "cuda"}
    )
    python_random = random.getstate()
    try:
        with torch.random.fork_rng(devices=devices):
            yield
    finally:
        random.setstate(python_random)
        for m, saved in attrs:
            current = m.__dict__
            for key in [k for k in current if k not in saved]:
                del current[key]
            for key, value in saved.items():
                if current.get(key, _MISSING) is not value:
                    current[key] = value
        written = [n for n, p, version in params.values() if p._version != version]
        if written:
            warnings.warn(
                f"the example forward of {type(model).__name__} wrote {len(written)} parameter(s) "
                f"in place (e.g. {written[0]!r}); stepguard cannot undo that",
                RuntimeWarning,
                stacklevel=4,
            )


_MISSING = object()


def _eval(model: nn.Module) -> None:
    for m in model.modules():
        m.training = False  # restored by _restored with the rest of __dict__


def _run(model: nn.Module, example_inputs: Any, meta: bool) -> dict[int, dict[UseKey, int]]:
    tracer = UseTracer(keep_alive=meta)
    inputs = _to_meta(example_inputs) if meta and not callable(example_inputs) else example_inputs
    with contextlib.ExitStack() as stack:
        stack.enter_context(_restored(model))
        if meta:
            stack.enter_context(_swapped_to_meta(model, tracer))
            stack.enter_context(torch.device("meta"))
        else:
            for p in {id(p): p for p in model.parameters()}.values():
                tracer.track(p, id(p))
            stack.enter_context(_buffer_copies(model, tracer))
        if callable(inputs) and not isinstance(inputs, torch.Tensor):
            # tensors the callable builds before entering the model are inputs, not constants
            tracer.inside = False
            members = {id(m) for m in model.modules()}

            def entered(module: nn.Module, args: Any) -> None:
                if id(module) in members:
                    tracer.inside = True

            handle = nn.modules.module.register_module_forward_pre_hook(entered)
            stack.callback(handle.remove)
        _eval(model)
        stack.enter_context(torch.no_grad())
        stack.enter_context(tracer)
        _call(model, inputs)
    return tracer.uses


def observe(model: nn.Module, example_inputs: ExampleInputs) -> Observation:
    """The uses of every parameter of `model` in one forward on `example_inputs`.

    Raises TypeError for inputs of the wrong kind and ValueError (naming `example_inputs` and the
    model's own error) when the forward fails on the meta device and, where possible, for real.
    """
    check_example_inputs(example_inputs)
    lazy = [n for n, p in model.named_parameters() if is_lazy(p)]
    if lazy:
        raise ValueError(
            f"example_inputs: {len(lazy)} lazy parameter(s) are not initialised yet (e.g. "
            f"{lazy[0]!r}); run one forward to materialise them, then classify"
        )
    try:
        return Observation(_run(model, example_inputs, meta=True), "meta")
    except Exception as exc:
        meta_error = f"{type(exc).__name__}: {exc}".strip()
    tensors = [*model.parameters(), *model.buffers()]
    if any(t.is_meta for t in tensors):
        raise ValueError(
            f"example_inputs: one forward of {type(model).__name__} on the meta device failed "
            f"({meta_error[:300]}); the model is on the meta device, so it cannot run for real "
            "either - check the inputs, or materialise the model (to_empty + init) and classify "
            "with small real inputs"
        )
    try:
        uses = _run(model, example_inputs, meta=False)
    except Exception as exc:
        raise ValueError(
            f"example_inputs: one forward of {type(model).__name__} failed: "
            f"{type(exc).__name__}: {str(exc)[:300]} (on the meta device: {meta_error[:200]}); "
            f"{_HOW}"
        ) from exc
    device = tensors[0].device.type if tensors else "cpu"
    return Observation(uses, device, meta_error)
