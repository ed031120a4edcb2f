"""Reliability cases for the Accumulator, `count_tokens` and `check_accumulation`: bad arguments
fail clearly before anything changes; ragged, resumed and unusual runs give the big-batch result."""

from __future__ import annotations

import copy
import io
import pickle
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from reliability_harness import Case
from torch import nn

from stepguard.accumulation import (
    Accumulator,
    check_accumulation,
    count_tokens,
    optimizer_steps,
)

K = 4


def _model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)).double()


def _batches(sizes: list[int], seed: int = 1) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    return [
        (
            torch.randn(n, 6, generator=g, dtype=torch.float64),
            torch.randint(0, 3, (n,), generator=g),
        )
        for n in sizes
    ]


def _acc(**kw: Any) -> tuple[nn.Module, torch.optim.Optimizer, Accumulator]:
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, opt, Accumulator(model, opt, steps=K, **kw)


def _loss(model: nn.Module, b: Any, reduction: str = "mean") -> torch.Tensor:
    return F.cross_entropy(model(b[0]), b[1], reduction=reduction)


def _snapshot(model: nn.Module, acc: Accumulator) -> list[Any]:
    grads = [p.grad for p in model.parameters()]
    state = acc.state_dict()
    return [
        [p.detach().clone() for p in model.parameters()],
        [None if g is None else g.clone() for g in grads],
        {k: v for k, v in state.items() if k != "grads"},
    ]


def _same(a: list[Any], b: list[Any]) -> bool:
    tensors = all(torch.equal(x, y) for x, y in zip(a[0], b[0], strict=True))
    grads = all(
        (x is None and y is None) or (x is not None and y is not None and torch.equal(x, y))
        for x, y in zip(a[1], b[1], strict=True)
    )
    return tensors and grads and a[2] == b[2]


def _unchanged_after(call: Callable[[Accumulator, nn.Module], Any]) -> Callable[[], Any]:
    """Run `call` on an Accumulator holding half a window; re-raise its error only if nothing
    (parameters, gradients, counters, the open window) changed, else report the damage."""

    def run() -> Any:
        model, _, acc = _acc()
        for b in _batches([4, 4]):
            acc.backward(_loss(model, b))
        before = _snapshot(model, acc)
        try:
            call(acc, model)
        except Exception:
            if not _same(before, _snapshot(model, acc)):
                return "state changed before the error"
            raise
        return "no error"

    return run


def _big_batch(data: list[Any], k: int, model: nn.Module | None = None) -> nn.Module:
    ref = _model() if model is None else model
    opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    for i in range(0, len(data), k):
        w = data[i : i + k]
        x, y = torch.cat([b[0] for b in w]), torch.cat([b[1] for b in w])
        _loss(ref, (x, y)).backward()
        opt.step()
        opt.zero_grad()
    return ref


def _diff(a: nn.Module, b: nn.Module) -> float:
    return max(
        float((p - q).detach().abs().max())
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def _ragged_rows() -> bool | str:
    data = _batches([8, 8, 3, 8, 8, 8, 3])
    model, _, acc = _acc(mean_over="rows")
    for b in acc.iterate(data):
        acc.backward(_loss(model, b))
    d = _diff(model, _big_batch(data, K))
    return d <= 1e-12 or f"max |dtheta| {d:.1e}"


def _ragged_warns() -> bool | str:
    model, _, acc = _acc()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for b in acc.iterate(_batches([8, 8, 3])):
            acc.backward(_loss(model, b))
    msgs = [str(w.message) for w in caught if "SG207" in str(w.message)]
    return (len(msgs) == 1 and "mean_over='rows'" in msgs[0]) or f"warnings: {msgs}"


def _temperature() -> bool | str:
    data = _batches([4] * 6)
    results = []
    for use_acc in (True, False):
        model = _model()
        t = nn.Parameter(torch.tensor(0.2, dtype=torch.float64))
        opt = torch.optim.SGD([*model.parameters(), t], lr=0.1)
        if use_acc:
            acc = Accumulator(model, opt, steps=K, clip_grad_norm=0.5)
            for b in data:
                acc.backward(F.cross_entropy(model(b[0]) * t.exp(), b[1], reduction="sum"), items=4)
            acc.flush()
        else:
            for i in range(0, 6, K):
                w = data[i : i + K]
                x, y = torch.cat([b[0] for b in w]), torch.cat([b[1] for b in w])
                F.cross_entropy(model(x) * t.exp(), y).backward()
                nn.utils.clip_grad_norm_([*model.parameters(), t], 0.5)
                opt.step()
                opt.zero_grad()
        results.append(float(t.detach()))
    return abs(results[0] - results[1]) <= 1e-12 or f"temperature differs: {results}"


def _resume_bit_identical() -> bool | str:
    data = _batches([4] * 10)
    model, _, acc = _acc(clip_grad_norm=1.0)
    for b in acc.iterate(data):
        acc.backward(_loss(model, b))
    m1, o1, a1 = _acc(clip_grad_norm=1.0)
    for i, b in enumerate(a1.iterate(data)):
        a1.backward(_loss(m1, b))
        if i == 5:
            break
    buf = io.BytesIO()
    torch.save({"m": m1.state_dict(), "o": o1.state_dict(), "a": a1.state_dict()}, buf)
    buf.seek(0)
    ckpt = torch.load(buf)
    m2, o2, a2 = _acc(clip_grad_norm=1.0)
    m2.load_state_dict(ckpt["m"])
    o2.load_state_dict(ckpt["o"])
    a2.load_state_dict(ckpt["a"])
    for b in a2.iterate(data[6:]):
        a2.backward(_loss(m2, b))
    same = all(torch.equal(p, q) for p, q in zip(model.parameters(), m2.parameters(), strict=True))
    return same or "resumed run differs"


def _accumulator_copies() -> bool | str:
    model, _, acc = _acc()
    for b in _batches([4, 4]):
        acc.backward(_loss(model, b))
    state = acc.state_dict()
    pickle.loads(pickle.dumps(state))
    copy.deepcopy(acc)
    torch.save(state, io.BytesIO())
    return True


def _empty_items_window() -> Any:
    model, _, acc = _acc(items=lambda b: 0)
    for b in acc.iterate(_batches([4] * K)):
        acc.backward(_loss(model, b, "sum"))


def _zero_item_micro_batch() -> bool | str:
    data = _batches([4, 4, 4, 4])
    model, _, acc = _acc(items=lambda b: 0 if b is data[1] else 4)
    for b in acc.iterate(data):
        acc.backward(_loss(model, b, "sum") * (0.0 if b is data[1] else 1.0))
    kept = [data[0], data[2], data[3]]
    d = _diff(model, _big_batch(kept, 3))
    return d <= 1e-12 or f"max |dtheta| {d:.1e}"


def _check_tokens() -> bool | str:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(11, 8), nn.Linear(8, 11)).double()
    labels = torch.randint(0, 11, (8, 10))
    for row, n in enumerate([1, 2, 10, 9, 1, 3, 10, 8]):  # 3, 19, 4, 18 tokens
        labels[row, n:] = -100
    batch = {"ids": torch.randint(0, 11, (8, 10)), "labels": labels}

    def loss_fn(m: nn.Module, b: Any) -> torch.Tensor:
        return F.cross_entropy(m(b["ids"]).flatten(0, 1), b["labels"].flatten())

    result = check_accumulation(model, loss_fn, batch, steps=4)
    return result.report().codes == ["SG207"] or str(result)


def _micro_batch_inside_iterate() -> Any:
    model, _, acc = _acc()
    for b in acc.iterate(_batches([4] * K)):
        with acc.micro_batch():
            acc.backward(_loss(model, b))


CASES = [
    Case(
        "accumulation",
        "Accumulator(clip_grad_norm='1.0')",
        lambda: _acc(clip_grad_norm="1.0"),
        match=r"clip_grad_norm must be a number.*clip_grad_norm=1\.0",
    ),
    Case(
        "accumulation",
        "Accumulator(clip_grad_norm=nan)",
        lambda: _acc(clip_grad_norm=float("nan")),
        match=r"clip_grad_norm must be > 0",
    ),
    Case(
        "accumulation",
        "Accumulator(steps=0)",
        lambda: Accumulator(_model(), torch.optim.SGD(_model().parameters(), lr=0.1), steps=0),
        match=r"steps must be an int >= 1",
    ),
    Case(
        "accumulation",
        "Accumulator(steps='4')",
        lambda: Accumulator(
            _model(),
            torch.optim.SGD(_model().parameters(), lr=0.1),
            steps="4",  # type: ignore[arg-type]
        ),
        match=r"steps must be an int >= 1",
    ),
    Case(
        "accumulation",
        "Accumulator(optimizer over another model)",
        lambda: Accumulator(_model(), torch.optim.SGD(_model(1).parameters(), lr=0.1), steps=K),
        match=r"holds none of the model's parameters",
    ),
    Case(
        "accumulation",
        "Accumulator(scheduler of another optimizer)",
        lambda: _acc(
            scheduler=torch.optim.lr_scheduler.StepLR(
                torch.optim.SGD(_model().parameters(), lr=0.1), 1
            )
        ),
        match=r"scheduler is bound to a different optimizer",
    ),
    Case(
        "accumulation",
        "Accumulator(items='rows', mean_over='rows')",
        lambda: _acc(items="rows", mean_over="rows"),
        match=r"not both",
    ),
    Case(
        "accumulation",
        "Accumulator(mean_over=3)",
        lambda: _acc(mean_over=3),
        match=r"mean_over must be 'rows' or a function",
    ),
    Case(
        "accumulation",
        "Accumulator(drop_last='yes')",
        lambda: _acc(drop_last="yes"),
        match=r"drop_last must be True or False",
    ),
    Case(
        "accumulation",
        "acc.backward(loss, items=nan)",
        _unchanged_after(
            lambda a, m: a.backward(_loss(m, _batches([4])[0], "sum"), items=float("nan"))
        ),
        match=r"items = nan is not a whole, finite number",
    ),
    Case(
        "accumulation",
        "acc.backward(loss, items=inf)",
        _unchanged_after(
            lambda a, m: a.backward(_loss(m, _batches([4])[0], "sum"), items=float("inf"))
        ),
        match=r"items = inf is not a whole, finite number",
    ),
    Case(
        "accumulation",
        "acc.backward(non-scalar loss)",
        _unchanged_after(lambda a, m: a.backward(_loss(m, _batches([4])[0], "none"))),
        match=r"loss must be a scalar",
    ),
    Case(
        "accumulation",
        "acc.load_state_dict(None)",
        _unchanged_after(lambda a, m: a.load_state_dict(None)),  # type: ignore[arg-type]
        match=r"state must be the dict returned by acc\.state_dict\(\)",
    ),
    Case(
        "accumulation",
        "acc.load_state_dict(model.state_dict())",
        _unchanged_after(lambda a, m: a.load_state_dict(m.state_dict())),
        match=r"state lacks .*acc\.state_dict\(\)",
    ),
    Case(
        "accumulation",
        "acc.iterate(None)",
        _unchanged_after(lambda a, m: a.iterate(None)),
        match=r"loader must be an iterable of batches.*got None",
    ),  # type: ignore[arg-type]
    Case(
        "accumulation",
        "acc.iterate(5)",
        _unchanged_after(lambda a, m: a.iterate(5)),
        match=r"loader must be an iterable of batches.*got int",
    ),  # type: ignore[arg-type]
    Case(
        "accumulation",
        "acc.iterate(one dict batch)",
        _unchanged_after(lambda a, m: a.iterate({"x": 1})),
        match=r"not one batch",
    ),
    Case(
        "accumulation",
        "acc.micro_batch() inside iterate()",
        _micro_batch_inside_iterate,
        match=r"not inside acc\.iterate",
    ),
    Case(
        "accumulation", "items= 0 for a whole window", _empty_items_window, match=r"hold no items"
    ),
    Case(
        "accumulation",
        "count_tokens('label') on a batch without it",
        lambda: count_tokens("label")({"labels": torch.zeros(2, 3)}),
        match=r"has no 'label'",
    ),
    Case(
        "accumulation",
        "count_tokens(shift=-1)",
        lambda: count_tokens(shift=-1),
        match=r"shift must be an int >= 0",
    ),
    Case(
        "accumulation",
        "optimizer_steps(10, 0)",
        lambda: optimizer_steps(10, 0),
        match=r"accum_steps must be an int >= 1",
    ),
    Case(
        "accumulation",
        "mean mode, ragged last window (8+8+3): warns once with the fix",
        _ragged_warns,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "accumulation",
        "mean_over='rows', ragged windows: equals the big batch",
        _ragged_rows,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "accumulation",
        "learnable temperature outside the model: scaled and clipped",
        _temperature,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "accumulation",
        "checkpoint mid-window, resumed: bit-identical",
        _resume_bit_identical,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "accumulation",
        "state_dict pickles, deepcopy(acc) works",
        _accumulator_copies,
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    Case(
        "accumulation",
        "items= 0 for one micro-batch: weighs zero",
        _zero_item_micro_batch,
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "accumulation",
        "check_accumulation: token means without items= name SG207",
        _check_tokens,
        expect="ok",
        check=lambda v: v,
    ),
]
