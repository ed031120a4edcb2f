"""Reliability cases for the Monitor, written by the safety helper: bad arguments, and what a user
does with monitored objects (save, pickle, deep-copy, a failed attach, out-of-order detach). The
monitoring package is another helper's area; cases that fail here are routed to it."""

from __future__ import annotations

import copy
import io
import pickle
from collections.abc import Callable
from typing import Any

import torch
from reliability_harness import Case
from reliability_models import adamw, batch, isolated, meta, net, tmpdir
from torch.optim import lr_scheduler as L

from stepguard import Monitor


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("monitoring", name, run, match=match, **kw)


def OK(
    name: str, run: Callable[[], Any], check: Callable[[Any], bool | str] | None = None, **kw: Any
) -> Case:
    return Case("monitoring", name, run, expect="ok", check=check, **kw)


def _setup() -> tuple[Any, Any, Any]:
    m = net()
    opt = adamw(m)
    return m, opt, L.CosineAnnealingLR(opt, 10)


def _step(m: Any, opt: Any, sched: Any) -> None:
    m(batch()).pow(2).mean().backward()
    opt.step()
    opt.zero_grad()
    sched.step()


def _save_scheduler_while_monitored() -> bool | str:
    m, opt, sched = _setup()
    with Monitor(m, opt, scheduler=sched, audit=False):
        _step(m, opt, sched)
        buf = io.BytesIO()
        torch.save(sched.state_dict(), buf)
    fresh = L.CosineAnnealingLR(adamw(net()), 10)
    fresh.load_state_dict(torch.load(io.BytesIO(buf.getvalue()), weights_only=False))
    return fresh.last_epoch == 1 or f"last_epoch {fresh.last_epoch}"


def _pickle_model_while_monitored() -> bool | str:
    m, opt, sched = _setup()
    with Monitor(m, opt, scheduler=sched, audit=False):
        _step(m, opt, sched)
        clone = pickle.loads(pickle.dumps(m))
    same = all(torch.equal(a, b) for a, b in zip(clone.parameters(), m.parameters(), strict=True))
    return same or "the unpickled model differs"


def _torch_save_model_while_monitored() -> bool | str:
    m, opt, sched = _setup()
    with Monitor(m, opt, scheduler=sched, audit=False):
        buf = io.BytesIO()
        torch.save(m, buf)
    return buf.tell() > 0 or "nothing saved"


def _copied_state_dict_scheduler_is_independent() -> bool | str:
    m, opt, sched = _setup()
    with Monitor(m, opt, scheduler=sched, audit=False):
        state = copy.deepcopy(sched.state_dict())
        other = L.CosineAnnealingLR(adamw(net()), 10)
        other.load_state_dict(state)
        before = sched.last_epoch
        other.step()
        return sched.last_epoch == before or "stepping the copy advanced the monitored scheduler"


def _deepcopy_model_zero_grad() -> bool | str:
    m, opt, sched = _setup()
    with Monitor(m, opt, scheduler=sched, audit=False):
        m(batch()).pow(2).mean().backward()
        before = [p.grad is not None for p in m.parameters()]
        ema = copy.deepcopy(m)
        ema.zero_grad()
        kept = any(before) and [p.grad is not None for p in m.parameters()] == before
    return kept or "zero_grad() on the deep copy cleared the original's gradients"


def _failed_attach_restores_everything() -> bool | str:
    backward = torch.autograd.backward
    m = meta()
    opt = torch.optim.AdamW(m.parameters())
    zero_grad = opt.zero_grad
    try:
        Monitor(m, opt).attach()
    except ValueError:
        pass
    else:
        return "attach on a meta model did not fail"
    if torch.autograd.backward is not backward:
        return "torch.autograd.backward is still patched after the failed attach"
    if opt.zero_grad != zero_grad or "zero_grad" in vars(opt):
        return "the optimizer's zero_grad is still patched"
    return True


def _attach_twice() -> None:
    mon = Monitor(net(), adamw(net()), audit=False).attach()
    try:
        mon.attach()
    finally:
        mon.detach()


def _meta_attach() -> bool | str:
    m = meta()
    try:
        Monitor(m, torch.optim.AdamW(m.parameters())).attach()
    except ValueError as exc:
        return "meta device" in str(exc) or f"unclear: {exc}"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "no error"


def _out_of_order_detach() -> bool | str:
    backward = torch.autograd.backward
    m1, o1, _ = _setup()
    m2, o2, _ = _setup()
    a = Monitor(m1, o1, audit=False).attach()
    b = Monitor(m2, o2, audit=False).attach()
    a.detach()
    b.detach()
    if torch.autograd.backward is not backward:
        return "torch.autograd.backward is left wrapped after two monitors detached"
    return True


def _monitored_training_is_bit_identical() -> bool | str:
    def train(monitor: bool) -> list[torch.Tensor]:
        m, opt, sched = _setup()
        mon = Monitor(m, opt, scheduler=sched, audit=False).attach() if monitor else None
        for _ in range(3):
            _step(m, opt, sched)
        if mon is not None:
            mon.detach()
        return [p.detach().clone() for p in m.parameters()]

    same = all(torch.equal(a, b) for a, b in zip(train(False), train(True), strict=True))
    return same or "monitoring changed the training"


CASES = [
    E(
        "Monitor(None, opt)",
        lambda: Monitor(None, adamw(net())),
        r"needs a torch\.nn\.Module, got NoneType",
    ),
    E(
        "Monitor(model, None)",
        lambda: Monitor(net(), None),
        r"needs a torch\.optim\.Optimizer, got NoneType",
    ),
    E(
        "Monitor(model, opt.param_groups)",
        lambda: (lambda m: Monitor(m, adamw(m).param_groups))(net()),
        r"Optimizer",
    ),
    E(
        "Monitor(every=0)",
        lambda: Monitor(net(), adamw(net()), every=0),
        r"every=.*must be a positive int",
    ),
    E(
        "Monitor(every='2')",
        lambda: Monitor(net(), adamw(net()), every="2"),
        r"every=.*must be a positive int",
    ),
    E(
        "Monitor(scheduler='cos')",
        lambda: Monitor(net(), adamw(net()), scheduler="cos"),
        r"scheduler=.*LR scheduler",
    ),
    E(
        "Monitor(on_finding='print')",
        lambda: Monitor(net(), adamw(net()), on_finding="print"),
        r"on_finding=.*must be callable",
    ),
    E("Monitor(log=5)", lambda: Monitor(net(), adamw(net()), log=5), r"log=.*must be callable"),
    OK(
        "Monitor(meta model).attach(): a clear error",
        lambda: isolated(__name__, "_meta_attach"),
        lambda v: v,
    ),
    E(
        "Monitor.attach() twice",
        _attach_twice,
        r"already attached",
    ),
    OK(
        "Monitor.detach() without attach",
        lambda: Monitor(net(), adamw(net())).detach(),
        lambda v: v is None,
    ),
    OK(
        "a failed attach (meta model) leaves nothing patched",
        lambda: isolated(__name__, "_failed_attach_restores_everything"),
        lambda v: v,
        kind="data",
    ),
    OK(
        "two monitors detached in the wrong order leave nothing wrapped",
        lambda: isolated(__name__, "_out_of_order_detach"),
        lambda v: v,
        kind="data",
    ),
    OK(
        "torch.save(scheduler.state_dict()) while monitored",
        _save_scheduler_while_monitored,
        lambda v: v,
        kind="data",
    ),
    OK("pickle the model while monitored", _pickle_model_while_monitored, lambda v: v, kind="data"),
    OK(
        "torch.save(model) while monitored",
        _torch_save_model_while_monitored,
        lambda v: v,
        kind="data",
    ),
    OK(
        "a deep-copied scheduler state, loaded elsewhere, does not drive the monitored one",
        _copied_state_dict_scheduler_is_independent,
        lambda v: v,
        kind="data",
    ),
    OK(
        "copy.deepcopy(model) while monitored: the copy's zero_grad leaves the original alone",
        _deepcopy_model_zero_grad,
        lambda v: v,
        kind="data",
    ),
    OK(
        "monitored training is bit-identical to unmonitored",
        _monitored_training_is_bit_identical,
        lambda v: v,
    ),
    E(
        "Monitor.to_csv('')",
        lambda: Monitor(net(), adamw(net())).to_csv(""),
        r"path",
        errors=(ValueError, TypeError, OSError),
    ),
    E(
        "Monitor.to_csv(<a directory>)",
        lambda: Monitor(net(), adamw(net())).to_csv(str(tmpdir())),
        r"directory",
        errors=(ValueError, TypeError, OSError),
    ),
]
