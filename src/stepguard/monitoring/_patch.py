"""How the Monitor listens, leaving no trace in the objects a user saves, copies or pickles.

Nothing is stored on the watched objects themselves (their ``__dict__``, which ``state_dict()``,
``pickle``, ``torch.save`` and ``copy.deepcopy`` read, stays exactly as it was):

* `watch(obj, name, handler)` replaces the *method* ``name`` on ``type(obj)`` (the class, while at
  least one of its instances is watched) by a dispatcher that looks the instance up in a
  per-class registry. A watched instance's call goes through its handlers; every other instance,
  including a deep copy of a watched one, calls the original directly. Several Monitors on one
  object share the one class patch, so they can be removed in any order; the last `unwatch` of a
  class puts back exactly what the class held. The original is looked up at call time (the class's
  own attribute, else the next class in the MRO), so patches on a class and on its subclass never
  capture each other.
* `watch_steps(optimizer, pre, post)` uses torch's process-wide optimizer step hooks
  (`torch.optim.optimizer.register_optimizer_step_pre_hook` / ``..._post_hook``), registered
  while any optimizer is watched, dispatching to the watched instance's handlers.
* `subscribe(listener)`: the process-wide patches of torch *functions* (`torch.autograd.backward`
  and the gradient-clipping functions) are installed while at least one listener is subscribed,
  and every listener hears every call. They call the original function with the same arguments
  (a generator of parameters is turned into a list first, which the originals do themselves). A
  `torch.autograd.backward` call made from inside a running backward pass (reentrant activation
  checkpointing) is part of that pass: listeners do not hear it.
* Several optimizers on one graph: each top-level backward call gets a number (`current_pass`);
  a Monitor marks the calls its optimizer's step used (`mark_consumed`), and steps whose passes
  nobody recorded are counted (`unrecorded_steps`: optimizers no Monitor watches, windows a
  Monitor only counted), so a Monitor can tell a pass that served another optimizer's step from
  one of its own micro-batches.

Limits: code that imported `clip_grad_value_` by name before the Monitor attached holds the original
function object and is not seen. `clip_grad_norm_` is seen however it was imported, because the
patch sits on the helper it calls (`torch.nn.utils.clip_grad._clip_grads_with_norm_`, torch >= 2.6);
on older torch only calls through the module attributes are seen. A method an instance holds in
its own ``__dict__`` (someone assigned ``obj.zero_grad = ...``) shadows the class and is not seen.
"""

from __future__ import annotations

import functools
import os
import pickle
import sys
import types
import warnings
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import torch
import torch.nn.utils as nn_utils
import torch.nn.utils.clip_grad as clip_grad_mod
from torch.optim import optimizer as optim_mod

if TYPE_CHECKING:
    from types import FrameType

__all__ = [
    "AttrPatch",
    "Listener",
    "consumed",
    "current_pass",
    "mark_consumed",
    "step_unrecorded",
    "subscribe",
    "unrecorded_steps",
    "unsubscribe",
    "unwatch",
    "watch",
    "watch_steps",
    "watched_classes",
]

_MISSING = object()


def _eager(fn: Any) -> Any:
    """`fn`, never traced by `torch.compile`: a compiled training step that calls
    ``loss.backward()`` or ``optimizer.step()`` reaches these listeners, which must run as plain
    Python (a graph break at the call) rather than be traced into the graph."""
    disable = getattr(torch.compiler, "disable", None)
    return fn if disable is None else disable(fn)


_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep  # the Monitor's own modules
_DYNAMO = os.path.join(os.path.dirname(torch.__file__), "_dynamo") + os.sep  # compiler.disable


def _ours(filename: str) -> bool:
    return filename.startswith(_OWN_DIR) or filename.startswith(_DYNAMO)


def caller_stacklevel() -> int:
    """The `stacklevel` that makes a warning issued by the caller of this function name the first
    frame outside the Monitor's modules and dispatchers (the user's call)."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and _ours(os.path.abspath(frame.f_code.co_filename)):
        frame, level = frame.f_back, level + 1
    return level


def call_pointing_warnings_at_caller(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, with the warnings it issues that would name one of our frames
    (a library's ``stacklevel=2`` lands on a dispatcher) re-issued at the user's line. Warnings
    that name another file are re-issued unchanged; none is lost when the call raises."""
    caught: list[warnings.WarningMessage] | None = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            return call(*args, **kwargs)
    finally:  # (after the user's warning filters are back in place)
        if caught:
            level = caller_stacklevel()
            for w in caught:
                if _ours(os.path.abspath(w.filename)):
                    warnings.warn(w.message, w.category, stacklevel=level)
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


#: ``handler(call, *args, **kwargs)``: ``call(*args, **kwargs)`` runs the next layer (in the end,
#: the original method bound to the instance); the handler returns what the method returns.
Handler = Callable[..., Any]


class AttrPatch:
    """Replace `owner.name` with `replacement` until `restore()` (module attributes only)."""

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner = owner
        self.name = name
        own = vars(owner)
        self.saved = own.get(name, _MISSING)
        self.original = getattr(owner, name)
        self.replacement = replacement
        setattr(owner, name, replacement)

    def restore(self) -> bool:
        """Put back exactly what the owner held before (or delete the attribute).

        If someone replaced the attribute again after us, nothing is changed and False is
        returned: removing our layer would remove theirs too (ours then only passes through).
        """
        if vars(self.owner).get(self.name) is not self.replacement:
            return False
        if self.saved is _MISSING:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self.saved)
        return True


def _ref(obj: Any) -> Callable[[], Any]:
    try:
        return weakref.ref(obj)
    except TypeError:  # not weak-referenceable: the registry entry lives only while watched
        return lambda: obj


class _Instance:
    """One watched instance in a registry: a reference to it and its handlers, outermost last."""

    __slots__ = ("handlers", "ref")

    def __init__(self, obj: Any) -> None:
        self.ref = _ref(obj)
        self.handlers: list[Any] = []


class _Dispatch:
    """What a patched class holds in place of its method while instances are watched.

    It binds like a function (``obj.name`` is a bound method, ``Cls.name(obj)`` works, signature
    and docstring are the original's) and sends a watched instance's calls through its handlers.
    Pickled (cloudpickle pickles a class defined in ``__main__`` by value, with its attributes),
    it is the attribute it replaced: a process that unpickles the class gets the plain method.
    """

    def __init__(self, patch: _MethodPatch, original: Any) -> None:
        functools.update_wrapper(self, original)  # (copies a patched base's __dict__ too)
        self._patch = patch

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else types.MethodType(self, obj)

    @_eager
    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        patch = self._patch
        call = patch.original(obj)
        entry = patch.watched.get(id(obj))
        if entry is not None and entry.ref() is obj:
            for handler in entry.handlers:
                call = functools.partial(handler, call)
        if patch.warnings_at_caller:
            return call_pointing_warnings_at_caller(call, *args, **kwargs)
        return call(*args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        patch = self._patch
        if patch.saved is not _MISSING:
            return getattr, (types.SimpleNamespace(attr=patch.saved), "attr")
        for base in patch.cls.__mro__[1:]:
            if patch.name in vars(base):
                return getattr, (types.SimpleNamespace(attr=vars(base)[patch.name]), "attr")
        raise pickle.PicklingError(f"no {patch.name} to stand for")  # pragma: no cover


class _MethodPatch:
    """`cls.name` replaced by a `_Dispatch` while instances of `cls` are watched."""

    def __init__(self, cls: type, name: str) -> None:
        self.cls = cls
        self.name = name
        self.saved = vars(cls).get(name, _MISSING)
        self.watched: dict[int, _Instance] = {}
        self.warnings_at_caller = False
        self.dispatch = _Dispatch(self, getattr(cls, name))
        setattr(cls, name, self.dispatch)

    def original(self, obj: Any) -> Any:
        if self.saved is not _MISSING:
            return self.saved.__get__(obj, type(obj))
        return getattr(super(self.cls, obj), self.name)

    def inherited(self) -> Any:
        """What the class would find without an attribute of its own (the next class in the MRO
        that has one), or _MISSING."""
        for base in self.cls.__mro__[1:]:
            if self.name in vars(base):
                return vars(base)[self.name]
        return _MISSING

    def restore(self) -> bool:
        current = vars(self.cls).get(self.name, _MISSING)
        if current is self.dispatch or (self.saved is _MISSING and current is self.inherited()):
            # (the second: a same-process cloudpickle round trip of the class wrote back what
            # our dispatcher pickles as)
            if self.saved is _MISSING:
                delattr(self.cls, self.name)
            else:
                setattr(self.cls, self.name, self.saved)
            return True
        return current is self.saved  # else patched again by someone else: leave theirs


_method_patches: dict[tuple[type, str], _MethodPatch] = {}


class Watch:
    """What `watch` / `watch_steps` return; pass it to `unwatch`."""

    __slots__ = ("handler", "key", "patch", "registry")

    def __init__(
        self,
        registry: dict[int, _Instance],
        key: int,
        handler: Any,
        patch: _MethodPatch | None,
    ) -> None:
        self.registry = registry
        self.key = key
        self.handler = handler
        self.patch = patch


def watch(obj: Any, name: str, handler: Handler, *, warnings_at_caller: bool = False) -> Watch:
    """Route calls of ``obj.<name>(...)`` through `handler` until `unwatch`.

    With ``warnings_at_caller``, warnings the method issues with a ``stacklevel`` that would name
    the dispatcher (torch's scheduler-order warning) name the user's line instead, for every
    instance of the patched class, watched or not (for a cheap method called once per step, not
    for a forward).

    Raises TypeError when ``type(obj)`` does not have the method or its class cannot be patched
    (nothing is changed then).
    """
    cls = type(obj)
    if not callable(getattr(cls, name, None)):
        raise TypeError(f"{cls.__name__} has no method {name}() to watch")
    patch = _method_patches.get((cls, name))
    if patch is None:
        patch = _MethodPatch(cls, name)
        _method_patches[(cls, name)] = patch
    patch.warnings_at_caller = patch.warnings_at_caller or warnings_at_caller
    entry = patch.watched.get(id(obj))
    if entry is None or entry.ref() is not obj:
        entry = patch.watched[id(obj)] = _Instance(obj)
    entry.handlers.append(handler)
    return Watch(patch.watched, id(obj), handler, patch)


# ---- optimizer steps: torch's process-wide step hooks, dispatched per instance --------------

_step_watched: dict[int, _Instance] = {}
_step_hook_handles: list[Any] = []


@_eager
def _pre_step(opt: Any, args: Any, kwargs: Any) -> tuple[Any, Any] | None:
    entry = _step_watched.get(id(opt))
    if entry is None or entry.ref() is not opt:
        return None
    changed = None
    for pre, _ in list(entry.handlers):
        out = pre(opt, args, kwargs)
        if out is not None:
            changed = args, kwargs = out
    return changed


@_eager
def _post_step(opt: Any, args: Any, kwargs: Any) -> None:
    global _unrecorded
    entry = _step_watched.get(id(opt))
    if entry is None or entry.ref() is not opt:
        _unrecorded += 1
        return
    for _, post in list(entry.handlers):
        post(opt, args, kwargs)


# ---- which backward passes the optimizers' steps used (several optimizers on one graph) -----

_unrecorded = 0  # optimizer steps whose backward passes nobody recorded
_consumed: dict[int, None] = {}  # backward calls whose gradients a watched optimizer stepped on
_CONSUMED_KEPT = 4096


def unrecorded_steps() -> int:
    """How many optimizer steps used backward passes nobody recorded: steps of optimizers no
    Monitor watches (counted while at least one is watched) and steps that closed a window a
    Monitor only counted (``every > 1``). A pass that ended before such a step may have served it.
    """
    return _unrecorded


def step_unrecorded() -> None:
    """A watched optimizer stepped at the end of a window its Monitor only counted."""
    global _unrecorded
    _unrecorded += 1


def mark_consumed(pids: Iterable[int]) -> None:
    """A watched optimizer stepped on the gradients of these backward calls (their `pid`s)."""
    for pid in pids:
        if pid:
            _consumed[pid] = None
    while len(_consumed) > _CONSUMED_KEPT:
        del _consumed[next(iter(_consumed))]


def consumed(pid: int) -> bool:
    """Whether a watched optimizer stepped on the gradients of backward call `pid`."""
    return pid in _consumed


def watch_steps(
    optimizer: torch.optim.Optimizer,
    pre: Callable[[Any, Any, Any], tuple[Any, Any] | None],
    post: Callable[[Any, Any, Any], None],
) -> Watch:
    """Call ``pre(opt, args, kwargs)`` / ``post(...)`` around each ``optimizer.step()`` (with the
    semantics of torch's step pre/post hooks) until `unwatch`."""
    if not _step_hook_handles:
        _step_hook_handles.append(optim_mod.register_optimizer_step_pre_hook(_pre_step))
        _step_hook_handles.append(optim_mod.register_optimizer_step_post_hook(_post_step))
    entry = _step_watched.get(id(optimizer))
    if entry is None or entry.ref() is not optimizer:
        entry = _step_watched[id(optimizer)] = _Instance(optimizer)
    pair = (pre, post)
    entry.handlers.append(pair)
    return Watch(_step_watched, id(optimizer), pair, None)


def unwatch(w: Watch) -> bool:
    """Undo one `watch` / `watch_steps`; the last one of a class (or of all optimizers) restores
    what the class held (removes torch's global step hooks). Idempotent.

    Returns False only when the class attribute was replaced again by someone else after us: it
    is left in place (our dispatcher under it passes every call through)."""
    entry = w.registry.get(w.key)
    if entry is not None:
        entry.handlers = [h for h in entry.handlers if h is not w.handler]
        if not entry.handlers:
            del w.registry[w.key]
    if w.registry:
        return True
    if w.patch is None:  # the last watched optimizer
        while _step_hook_handles:
            _step_hook_handles.pop().remove()
    elif _method_patches.get((w.patch.cls, w.patch.name)) is w.patch:
        del _method_patches[(w.patch.cls, w.patch.name)]
        return w.patch.restore()
    return True


def watched_classes() -> list[tuple[type, str]]:
    """The (class, method) pairs patched right now (for tests and diagnostics)."""
    return list(_method_patches)


# ---- process-wide patches of torch functions ------------------------------------------------


class Listener(Protocol):
    """What the process-wide patches call on each subscribed listener."""

    def _on_clip(self, params: list[torch.Tensor], max_norm: float | None, total: Any) -> None: ...

    def _before_backward(self, tensors: Any, grad_tensors: Any) -> None: ...

    def _after_backward(self) -> None: ...


_listeners: list[Listener] = []
_installed: list[AttrPatch] = []
_pass = 0  # number of the latest top-level torch.autograd.backward call


def current_pass() -> int:
    """The number of the top-level `torch.autograd.backward` call running (or last run)."""
    return _pass


def _as_list(parameters: Any) -> list[torch.Tensor]:
    if isinstance(parameters, torch.Tensor):
        return [parameters]
    return list(parameters)


def _install() -> None:
    orig_backward = torch.autograd.backward

    def backward(tensors: Any, grad_tensors: Any = None, *args: Any, **kwargs: Any) -> Any:
        global _pass
        if torch._C._current_graph_task_id() != -1:
            # Called from inside a running backward pass (reentrant activation checkpointing
            # recomputes and backpropagates its segment): part of the outer pass, not a new one.
            return orig_backward(tensors, grad_tensors, *args, **kwargs)
        _pass += 1
        for lis in tuple(_listeners):
            lis._before_backward(tensors, grad_tensors)
        try:
            return orig_backward(tensors, grad_tensors, *args, **kwargs)
        finally:
            for lis in tuple(_listeners):
                lis._after_backward()

    _installed.append(AttrPatch(torch.autograd, "backward", _eager(backward)))

    @_eager
    def notify(params: list[torch.Tensor], max_norm: float | None, total: Any) -> None:
        for lis in tuple(_listeners):
            lis._on_clip(params, max_norm, total)

    inner = getattr(clip_grad_mod, "_clip_grads_with_norm_", None)
    if inner is not None:
        # clip_grad_norm_ calls this module global, so this one patch sees clip_grad_norm_ however
        # the user imported it, and the public clip_grads_with_norm_ through the module attribute.
        def clip_grads_with_norm_(
            parameters: Any, max_norm: float, total_norm: torch.Tensor, foreach: Any = None
        ) -> None:
            params = _as_list(parameters)
            notify(params, float(max_norm), total_norm)
            inner(params, max_norm, total_norm, foreach)

        _installed.append(AttrPatch(clip_grad_mod, "_clip_grads_with_norm_", clip_grads_with_norm_))
        if getattr(nn_utils, "clip_grads_with_norm_", None) is inner:
            _installed.append(AttrPatch(nn_utils, "clip_grads_with_norm_", clip_grads_with_norm_))
    else:  # torch < 2.6: patch the public function where users look it up
        orig_norm = clip_grad_mod.clip_grad_norm_

        def clip_grad_norm_(parameters: Any, max_norm: float, *args: Any, **kwargs: Any) -> Any:
            params = _as_list(parameters)
            total = orig_norm(params, max_norm, *args, **kwargs)
            notify(params, float(max_norm), total)
            return total

        for mod in (clip_grad_mod, nn_utils):
            if getattr(mod, "clip_grad_norm_", None) is orig_norm:
                _installed.append(AttrPatch(mod, "clip_grad_norm_", clip_grad_norm_))

    orig_value = clip_grad_mod.clip_grad_value_

    def clip_grad_value_(parameters: Any, clip_value: float, *args: Any, **kwargs: Any) -> Any:
        params = _as_list(parameters)
        notify(params, None, None)
        return orig_value(params, clip_value, *args, **kwargs)

    for mod in (clip_grad_mod, nn_utils):
        if getattr(mod, "clip_grad_value_", None) is orig_value:
            _installed.append(AttrPatch(mod, "clip_grad_value_", clip_grad_value_))


def subscribe(listener: Listener) -> None:
    """Start delivering backward and clipping calls to `listener` (installs the patches)."""
    if not _listeners:
        _install()
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    """Stop delivering to `listener`; the last one out restores every torch function."""
    if listener in _listeners:
        _listeners.remove(listener)
    if not _listeners:
        while _installed:
            _installed.pop().restore()
