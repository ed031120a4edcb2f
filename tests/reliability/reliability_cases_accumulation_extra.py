"""Reliability cases for the Accumulator, `check_accumulation` and `optimizer_steps`, written by
the safety helper: inputs a new user tries. The accumulation package is another helper's area;
cases that fail here are routed to it."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from reliability_harness import Case
from reliability_models import adamw, batch, frozen, meta, net

from stepguard import Accumulator, check_accumulation, optimizer_steps


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("accumulation", name, run, match=match, **kw)


def OK(name: str, run: Callable[[], Any], check: Callable[[Any], bool | str] | None = None) -> Case:
    return Case("accumulation", name, run, expect="ok", check=check)


def _acc(**kw: Any) -> Accumulator:
    m = net()
    kw.setdefault("steps", 2)
    return Accumulator(m, adamw(m), **kw)


def _backward(**kw: Any) -> Any:
    m = net()
    acc = Accumulator(m, adamw(m), steps=2)
    return acc.backward(m(batch()).sum(), **kw)


def _loss_fn(model: torch.nn.Module, b: torch.Tensor) -> torch.Tensor:
    return model(b).pow(2).mean()


def _untouched_after(bad: Callable[[Accumulator], Any]) -> bool | str:
    """A bad call raises before it changes anything: the weights and the window stay put."""
    m = net()
    acc = Accumulator(m, adamw(m), steps=2)
    acc.backward(m(batch()).pow(2).mean())
    before = [p.detach().clone() for p in m.parameters()]
    used = [p for p in m.parameters() if p.grad is not None]
    grads = [p.grad.detach().clone() for p in used]  # type: ignore[union-attr]
    try:
        bad(acc)
    except (TypeError, ValueError):
        pass
    else:
        return "no error"
    same = all(torch.equal(a, p) for a, p in zip(before, m.parameters(), strict=True))
    same_grads = all(torch.equal(g, p.grad) for g, p in zip(grads, used, strict=True))
    return (same and same_grads and acc.window_position == 1) or "state changed by a failed call"


CASES = [
    E(
        "Accumulator(None, opt, steps=2)",
        lambda: Accumulator(None, adamw(net()), steps=2),
        r"model must be an nn\.Module, got NoneType",
    ),
    E(
        "Accumulator(model, None, steps=2)",
        lambda: Accumulator(net(), None, steps=2),
        r"optimizer must be a torch\.optim\.Optimizer, got NoneType",
    ),
    E("Accumulator(steps=0)", lambda: _acc(steps=0), r"steps must be an int >= 1"),
    E("Accumulator(steps=1.5)", lambda: _acc(steps=1.5), r"steps must be an int >= 1"),
    E("Accumulator(steps='2')", lambda: _acc(steps="2"), r"steps must be an int >= 1"),
    E("Accumulator(steps=True)", lambda: _acc(steps=True), r"steps must be an int >= 1"),
    E("Accumulator(clip_grad_norm='1.0')", lambda: _acc(clip_grad_norm="1.0"), r"clip_grad_norm"),
    E(
        "Accumulator(clip_grad_norm=-1)",
        lambda: _acc(clip_grad_norm=-1.0),
        r"clip_grad_norm must be > 0",
    ),
    E(
        "Accumulator(clip_grad_norm=nan)",
        lambda: _acc(clip_grad_norm=math.nan),
        r"clip_grad_norm must be > 0",
    ),
    E(
        "Accumulator(clip_grad_norm=0)",
        lambda: _acc(clip_grad_norm=0.0),
        r"clip_grad_norm must be > 0",
    ),
    E(
        "Accumulator(on_nonfinite='ignore')",
        lambda: _acc(on_nonfinite="ignore"),
        r"on_nonfinite must be 'raise' or 'skip'",
    ),
    E("Accumulator(norm_type=-1)", lambda: _acc(norm_type=-1.0), r"norm_type"),
    E("Accumulator(norm_type='fro')", lambda: _acc(norm_type="fro"), r"norm_type"),
    E(
        "Accumulator(items='tokens')",
        lambda: _acc(items="tokens"),
        r"items must be .rows. or a function",
    ),
    E("Accumulator(scheduler='cos')", lambda: _acc(scheduler="cos"), r"scheduler has no step\(\)"),
    E("Accumulator(scaler='amp')", lambda: _acc(scaler="amp"), r"scaler has no scale\(\)"),
    E(
        "Accumulator(frozen model, ...)",
        lambda: Accumulator(frozen(), adamw(net()), steps=2),
        r"no trainable parameters|holds none of the model's parameters",
    ),
    E(
        "Accumulator(meta model, ...)",
        lambda: (lambda m: Accumulator(m, torch.optim.AdamW(m.parameters()), steps=2))(meta()),
        r"meta device",
    ),
    E("acc.backward(loss, items=nan)", lambda: _backward(items=math.nan), r"items"),
    E("acc.backward(loss, items=inf)", lambda: _backward(items=math.inf), r"items"),
    E("acc.backward(loss, items=-3)", lambda: _backward(items=-3), r"items = -3"),
    # A micro-batch of 0 items weighs 0 (a rank or a batch with nothing to count); not an error.
    OK("acc.backward(loss, items=0): weighs 0", lambda: _backward(items=0), lambda v: v is False),
    E(
        "acc.backward(loss, items=2.5)",
        lambda: _backward(items=2.5),
        r"items = 2\.5 is not a whole",
    ),
    E(
        "acc.backward(loss, items='3')",
        lambda: _backward(items="3"),
        r"items must be an integer item count",
    ),
    E("acc.backward('loss')", lambda: _acc().backward("loss"), r"loss must be a tensor, got str"),
    E("acc.backward(None)", lambda: _acc().backward(None), r"loss must be a tensor, got NoneType"),
    E(
        "acc.backward(model output)",
        lambda: (lambda m: Accumulator(m, adamw(m), steps=2).backward(m(batch())))(net()),
        r"loss must be a scalar",
    ),
    E(
        "acc.backward(detached loss)",
        lambda: (lambda m: Accumulator(m, adamw(m), steps=2).backward(m(batch()).sum().detach()))(
            net()
        ),
        r"does not require grad",
    ),
    OK(
        "a failed acc.backward(items=nan) changes nothing",
        lambda: _untouched_after(
            lambda a: a.backward(torch.tensor(1.0, requires_grad=True), items=math.nan)
        ),
        lambda v: v,
    ),
    E("acc.load_state_dict(None)", lambda: _acc().load_state_dict(None), r"state"),
    E("acc.load_state_dict('x')", lambda: _acc().load_state_dict("x"), r"state"),
    E("acc.load_state_dict({})", lambda: _acc().load_state_dict({}), r"state lacks"),
    E("acc.iterate(None)", lambda: list(_acc().iterate(None)), r"loader"),
    E("acc.iterate(5)", lambda: list(_acc().iterate(5)), r"loader"),
    OK("acc.iterate([]): nothing", lambda: list(_acc().iterate([])), lambda v: v == []),
    E(
        "check_accumulation(None, ...)",
        lambda: check_accumulation(None, _loss_fn, batch(), steps=2),
        r"model",
    ),
    E(
        "check_accumulation(model, None, ...)",
        lambda: check_accumulation(net(), None, batch(), steps=2),
        r"loss_fn",
    ),
    E(
        "check_accumulation(batch=None)",
        lambda: check_accumulation(net(), _loss_fn, None, steps=2),
        r"batch",
    ),
    E(
        "check_accumulation(steps=0)",
        lambda: check_accumulation(net(), _loss_fn, batch(), steps=0),
        r"steps must be an int >= 1",
    ),
    E(
        "check_accumulation(steps > batch size)",
        lambda: check_accumulation(net(), _loss_fn, batch(3), steps=5),
        r"a batch of 3 samples cannot make 5 micro-batches",
    ),
    E(
        "check_accumulation(tolerance=-1)",
        lambda: check_accumulation(net(), _loss_fn, batch(), steps=2, tolerance=-1.0),
        r"tolerance",
    ),
    OK(
        "check_accumulation(mean loss, 2 micro-batches): exact",
        lambda: check_accumulation(net(), _loss_fn, batch(), steps=2),
        lambda r: r.exact or str(r),
    ),
    OK("optimizer_steps(10, 3) == 4", lambda: optimizer_steps(10, 3), lambda v: v == 4),
    OK(
        "optimizer_steps(10, 3, drop_last=True) == 3",
        lambda: optimizer_steps(10, 3, drop_last=True),
        lambda v: v == 3,
    ),
    OK("optimizer_steps(0, 2) == 0", lambda: optimizer_steps(0, 2), lambda v: v == 0),
    E(
        "optimizer_steps(-1, 2)",
        lambda: optimizer_steps(-1, 2),
        r"batches_per_epoch must be an int >= 0",
    ),
    E("optimizer_steps(10, 0)", lambda: optimizer_steps(10, 0), r"accum_steps must be an int >= 1"),
    E(
        "optimizer_steps('10', 2)",
        lambda: optimizer_steps("10", 2),
        r"batches_per_epoch must be an int",
    ),
    E("optimizer_steps(10, 2, epochs=-1)", lambda: optimizer_steps(10, 2, epochs=-1), r"epochs"),
]
