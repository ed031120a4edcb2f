"""What a micro-batch holds: its rows (leading dimension) and its tokens (entries of a label or mask
tensor that are not padding). Read from the batch itself, so weighting a window by its real content
needs no hand-written counting function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import torch

__all__ = ["count_rows", "count_tokens", "rows"]


def rows(batch: Any) -> int | None:
    """The number of rows (samples) of a batch, or None when it cannot be told.

    The leading dimension of the first tensor found depth-first in the batch (a tensor; a tuple,
    list or dict of them, nested; an object with tensor attributes, such as Hugging Face's
    ``BatchEncoding``); else ``len(batch)`` for a sized batch of something else.
    """
    # Fast paths for the usual shapes: a tensor, a tuple/list whose first item is a tensor.
    first = batch[0] if type(batch) in (tuple, list) and batch else batch
    if type(first) is torch.Tensor:
        return first.shape[0] if first.ndim else None
    t = _first_tensor(batch, 0)
    if t is not None:
        return int(t.shape[0]) if t.dim() else None
    if isinstance(batch, (str, bytes)) or not hasattr(batch, "__len__"):
        return None
    try:
        return len(batch)
    except TypeError:
        return None


def _first_tensor(x: Any, depth: int) -> torch.Tensor | None:
    if isinstance(x, torch.Tensor):
        return x
    if depth > 4:
        return None
    if isinstance(x, Mapping):
        values: Any = x.values()
    elif isinstance(x, (tuple, list)):
        values = x
    elif hasattr(x, "__dict__") and not callable(x):
        values = vars(x).values()  # dataclasses, BatchEncoding-like containers
    else:
        return None
    for v in values:
        t = _first_tensor(v, depth + 1)
        if t is not None:
            return t
    return None


def count_rows(batch: Any) -> int:
    """The rows of `batch`: ``Accumulator(mean_over="rows")`` / ``items="rows"`` count with it.

    The leading dimension of the first tensor found depth-first in the batch (a tensor; a tuple,
    list or dict of them, nested; an object with tensor attributes such as Hugging Face's
    ``BatchEncoding``), else ``len(batch)``. Raises `ValueError` when there is nothing to count.

    Args:
        batch: one micro-batch.
    """
    n = rows(batch)
    if n is None:
        raise ValueError(
            f"count_rows: cannot tell how many rows a batch of type {type(batch).__name__} has "
            "(no tensor with a leading dimension, no len()); pass a counting function instead"
        )
    return n


def count_tokens(
    key: str | int = "labels", *, ignore_index: int = -100, shift: int = 0
) -> Callable[[Any], int]:
    """A counting function for `Accumulator(items=...)` / `Accumulator(mean_over=...)`: tokens.

    The returned function counts the entries of ``batch[key]`` that are not `ignore_index`,
    after dropping the first `shift` positions of the last dimension. Defaults: Hugging Face
    labels (``-100`` is padding, ignored by ``cross_entropy``). ``shift=1`` matches causal
    language models, which predict ``labels[..., 1:]`` (the model shifts the labels itself);
    ``count_tokens("attention_mask", ignore_index=0)`` counts a mask's ones. `key` is a dict key,
    an attribute name, or an index into a tuple batch.

    Args:
        key: where the tensor is in the batch.
        ignore_index: the value that marks padding (not counted).
        shift: positions dropped at the start of the last dimension before counting.
    """
    if not isinstance(key, (str, int)) or isinstance(key, bool):
        raise TypeError(f"count_tokens: key must be a str or an int index, got {key!r}")
    if isinstance(shift, bool) or not isinstance(shift, int) or shift < 0:
        raise ValueError(f"count_tokens: shift must be an int >= 0, got {shift!r}")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
        raise TypeError(f"count_tokens: ignore_index must be an int, got {ignore_index!r}")
    return functools.partial(_count_tokens, key=key, ignore_index=ignore_index, shift=shift)


def _count_tokens(batch: Any, *, key: str | int, ignore_index: int, shift: int) -> int:
    try:
        if isinstance(batch, Mapping) or not isinstance(key, str):
            t = batch[key]
        else:
            t = getattr(batch, key)
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ValueError(
            f"count_tokens({key!r}): the batch ({type(batch).__name__}) has no {key!r}; pass the "
            "key of its label or mask tensor, e.g. count_tokens('labels')"
        ) from None
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"count_tokens({key!r}): batch[{key!r}] is not a tensor")
    if shift:
        t = t[..., shift:]
    # One host read per micro-batch (the Accumulator reads a window's counts together).
    return int((t != ignore_index).sum())


def describe(counter: Any) -> str:
    """How `counter` counts, for messages: 'rows', "tokens of 'labels' != -100 (shift 1)"."""
    if counter == "rows" or counter is count_rows:
        return "rows"
    if isinstance(counter, functools.partial) and counter.func is _count_tokens:
        kw = counter.keywords
        shift = f", shift {kw['shift']}" if kw["shift"] else ""
        return f"tokens of {kw['key']!r} != {kw['ignore_index']}{shift}"
    return getattr(counter, "__name__", type(counter).__name__)


def padded_tokens(batch: Any) -> int | None:
    """Target tokens of a batch whose labels are padded with -100 (None when it has no such
    labels): a dict's ``"labels"``, or the last integer tensor of 2+ dims of a tuple/list."""
    if isinstance(batch, Mapping):
        t = batch.get("labels")
    elif isinstance(batch, (tuple, list)):
        ints = [
            x
            for x in batch
            if isinstance(x, torch.Tensor) and x.dim() >= 2 and not x.dtype.is_floating_point
        ]
        t = ints[-1] if ints else None
    else:
        t = getattr(batch, "labels", None)
    if not isinstance(t, torch.Tensor) or t.dim() < 2 or t.dtype.is_floating_point:
        return None
    return int((t != -100).sum())
