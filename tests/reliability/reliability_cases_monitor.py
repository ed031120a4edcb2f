"""Reliability cases for the runtime Monitor: saving, copying and pickling what it watches, failed
attaches, detach order, and bad arguments."""

from __future__ import annotations

import copy
import io
import pickle
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from reliability_harness import Case
from torch import nn
from torch.optim import optimizer as optim_mod

from stepguard.monitoring import Monitor, _patch


def _halve(step: int) -> float:
    return 0.5**step


def _objects() -> tuple[nn.Module, torch.optim.Optimizer, Any]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 2))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    return model, opt, torch.optim.lr_scheduler.LambdaLR(opt, _halve)


def _step(model: nn.Module, opt: torch.optim.Optimizer, sched: Any) -> None:
    F.cross_entropy(model(torch.randn(3, 4)), torch.tensor([0, 1, 0])).backward()
    opt.step()
    opt.zero_grad()
    sched.step()


def _monitored(fn: Callable[[nn.Module, torch.optim.Optimizer, Any, Monitor], Any]) -> Any:
    model, opt, sched = _objects()
    with Monitor(model, opt, scheduler=sched, audit=False) as mon:
        _step(model, opt, sched)
        return fn(model, opt, sched, mon)


def _patched() -> tuple[Any, ...]:
    return (
        torch.autograd.backward,
        nn.utils.clip_grad_norm_,
        tuple(optim_mod._global_optimizer_pre_hooks),
        tuple(_patch.watched_classes()),
    )


def _save_scheduler_state(model: nn.Module, opt: Any, sched: Any, mon: Monitor) -> Any:
    buf = io.BytesIO()
    torch.save(sched.state_dict(), buf)
    buf.seek(0)
    return torch.load(buf, weights_only=False), sched.state_dict()


def _save_model(model: nn.Module, opt: Any, sched: Any, mon: Monitor) -> Any:
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=False)
    return all(
        torch.equal(a, b) for a, b in zip(back.parameters(), model.parameters(), strict=True)
    )


def _copied_state_loaded_elsewhere(model: nn.Module, opt: Any, sched: Any, mon: Monitor) -> Any:
    saved = copy.deepcopy(sched.state_dict())
    other_opt = torch.optim.AdamW(nn.Linear(2, 2).parameters(), lr=1e-2)
    other = torch.optim.lr_scheduler.LambdaLR(other_opt, _halve)
    other.load_state_dict(saved)
    before = sched.last_epoch, mon.state.sched_total
    other_opt.step()
    other.step()
    return (sched.last_epoch, mon.state.sched_total) == before and other.last_epoch == before[0] + 1


def _deepcopy_model_zero_grad(model: nn.Module, opt: Any, sched: Any, mon: Monitor) -> Any:
    clone = copy.deepcopy(model)
    model(torch.randn(2, 4)).sum().backward()
    grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    clone(torch.randn(2, 4)).sum().backward()
    clone.zero_grad()
    kept = [p.grad for p in model.parameters() if p.grad is not None]
    return len(kept) == len(grads) and all(
        torch.equal(a, b) for a, b in zip(kept, grads, strict=True)
    )


def _pickle_all(model: nn.Module, opt: Any, sched: Any, mon: Monitor) -> Any:
    for obj in (model, opt, sched, opt.state_dict(), model.state_dict(), sched.state_dict()):
        pickle.loads(pickle.dumps(obj))
    return True


def _failed_attach(make: Callable[[], tuple[nn.Module, Any]]) -> Callable[[], Any]:
    def run() -> Any:
        before = _patched()
        model, opt = make()
        try:
            Monitor(model, opt, audit=False).attach()
        except ValueError:
            return _patched() == before
        return "attach did not fail"

    return run


def _meta() -> tuple[nn.Module, Any]:
    with torch.device("meta"):
        model = nn.Linear(3, 3)
    return model, torch.optim.SGD(model.parameters(), lr=0.1)


def _frozen() -> tuple[nn.Module, Any]:
    model = nn.Linear(3, 3).requires_grad_(False)
    return model, torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def _out_of_order_detach() -> Any:
    model, opt, sched = _objects()
    classes = {c: dict(vars(c)) for c in (type(model), type(opt), type(sched))}
    before = _patched()
    first = Monitor(model, opt, scheduler=sched, audit=False).attach()
    second = Monitor(model, opt, scheduler=sched, audit=False).attach()
    _step(model, opt, sched)
    first.detach()
    second.detach()
    same = all(dict(vars(c)) == d for c, d in classes.items())
    return same and _patched() == before and first.state.step == second.state.step == 1


def _bad(**kwargs: Any) -> Callable[[], Any]:
    def run() -> Any:
        model, opt, _ = _objects()
        args: dict[str, Any] = {"model": model, "optimizer": opt, **kwargs}
        return Monitor(**args)

    return run


def _attach_twice() -> Any:
    model, opt, _ = _objects()
    mon = Monitor(model, opt, audit=False).attach()
    try:
        mon.attach()
    finally:
        mon.detach()


def _detach_never_attached() -> Any:
    model, opt, _ = _objects()
    mon = Monitor(model, opt)
    mon.detach()
    mon.detach()
    return mon.findings == [] and mon.history == []


def _closure_lbfgs() -> Any:
    model, _, _ = _objects()
    opt = torch.optim.LBFGS(model.parameters(), lr=0.1, max_iter=3)
    x, y = torch.randn(4, 4), torch.tensor([0, 1, 0, 1])

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        return loss

    with Monitor(model, opt, audit=False) as mon:
        for _ in range(2):
            opt.step(closure)
    return mon.findings == [] and [r["micro_batches"] for r in mon.history] == [1, 1]


def _deepcopy_optimizer_steps() -> Any:
    def fn(model: nn.Module, opt: Any, sched: Any, mon: Monitor) -> Any:
        clone = copy.deepcopy(opt)
        clone.step()
        clone.zero_grad()
        return mon.state.opt_steps == 1 and not mon.state.zeroed_after

    return _monitored(fn)


def _loop(mon_kwargs: dict[str, Any], body: Callable[[nn.Module, Any], None]) -> Monitor:
    model, opt, _ = _objects()
    with Monitor(model, opt, audit=False, **mon_kwargs) as mon:
        body(model, opt)
    return mon


def _ce(model: nn.Module) -> torch.Tensor:
    return F.cross_entropy(model(torch.randn(3, 4)), torch.tensor([0, 1, 0]))


def _every_huge(model: nn.Module, opt: Any) -> None:
    for _ in range(3):
        _ce(model).backward()
        opt.step()
        opt.zero_grad()


def _unrelated_backward(model: nn.Module, opt: Any) -> None:
    other = nn.Linear(4, 1)
    for _ in range(2):
        other(torch.randn(2, 4)).sum().backward()  # reaches no watched parameter
        _ce(model).backward()
        opt.step()
        opt.zero_grad()


def _autograd_grad(model: nn.Module, opt: Any) -> None:
    for _ in range(2):
        loss = _ce(model)
        grads = torch.autograd.grad(loss, list(model.parameters()), retain_graph=True)
        assert len(grads) == len(list(model.parameters()))
        loss.backward()
        opt.step()
        opt.zero_grad()


def _step_without_backward(model: nn.Module, opt: Any) -> None:
    opt.step()  # nothing accumulated
    _ce(model).backward()
    opt.step()
    opt.zero_grad()


def _attached_mid_window() -> Monitor:
    model, opt, _ = _objects()
    (_ce(model) / 2).backward()  # the first pass of a window, before attach
    with Monitor(model, opt, audit=False) as mon:
        (_ce(model) / 2).backward()
        opt.step()
        opt.zero_grad()
        for _ in range(2):
            for _ in range(2):
                (_ce(model) / 2).backward()
            opt.step()
            opt.zero_grad()
    return mon


def _tensor_lr() -> Monitor:
    model = nn.Sequential(nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(1e-3))
    with Monitor(model, opt, audit=False) as mon:
        for i in range(4):
            (_ce(model) / 2).backward()
            if i % 2 == 1:
                opt.step()
                opt.zero_grad()
                opt.param_groups[0]["lr"].fill_(5e-4)  # in place: a tensor LR changed per step
    return mon


CASES = [
    Case(
        "monitoring",
        "torch.save(scheduler.state_dict()) while monitored (defect 1)",
        lambda: _monitored(_save_scheduler_state),
        expect="ok",
        check=lambda v: v[0] == v[1],
        kind="data",
    ),
    Case(
        "monitoring",
        "torch.save(model) while monitored (defect 1)",
        lambda: _monitored(_save_model),
        expect="ok",
        check=lambda v: v is True,
        kind="data",
    ),
    Case(
        "monitoring",
        "deepcopy(scheduler.state_dict()) loaded into another scheduler (defect 1)",
        lambda: _monitored(_copied_state_loaded_elsewhere),
        expect="ok",
        check=lambda v: v is True or "the other scheduler's step advanced the monitored one",
        kind="data",
    ),
    Case(
        "monitoring",
        "copy.deepcopy(model).zero_grad() while monitored (defect 2)",
        lambda: _monitored(_deepcopy_model_zero_grad),
        expect="ok",
        check=lambda v: v is True or "the copy's zero_grad cleared the original's gradients",
        kind="data",
    ),
    Case(
        "monitoring",
        "pickle model, optimizer, scheduler and their state_dicts while monitored",
        lambda: _monitored(_pickle_all),
        expect="ok",
        check=lambda v: v is True,
        kind="data",
    ),
    Case(
        "monitoring",
        "copy.deepcopy(optimizer).step() while monitored",
        _deepcopy_optimizer_steps,
        expect="ok",
        check=lambda v: v is True or "the copy's step was counted as the monitored one's",
    ),
    Case(
        "monitoring",
        "attach on a meta-device model leaves nothing patched (defect 3)",
        _failed_attach(_meta),
        expect="ok",
        check=lambda v: v is True or str(v),
    ),
    Case(
        "monitoring",
        "attach on a model without trainable parameters leaves nothing patched (defect 3)",
        _failed_attach(_frozen),
        expect="ok",
        check=lambda v: v is True or str(v),
    ),
    Case(
        "monitoring",
        "Monitor(meta-device model).attach()",
        lambda: Monitor(*_meta(), audit=False).attach(),
        match=r"Monitor\(model=\.\.\.\).*meta device.*materialise",
    ),
    Case(
        "monitoring",
        "Monitor(frozen model).attach()",
        lambda: Monitor(*_frozen(), audit=False).attach(),
        match=r"Monitor\(model=\.\.\.\).*no trainable parameters",
    ),
    Case(
        "monitoring",
        "two Monitors detached in attach order (defect 3)",
        _out_of_order_detach,
        expect="ok",
        check=lambda v: v is True or "a pass-through layer or patch was left behind",
    ),
    Case(
        "monitoring",
        "Monitor(every=0)",
        _bad(every=0),
        match=r"Monitor\(every=\.\.\.\) must be a positive int",
    ),
    Case(
        "monitoring",
        "Monitor(every=True)",
        _bad(every=True),
        match=r"Monitor\(every=\.\.\.\) must be a positive int",
    ),
    Case(
        "monitoring",
        "Monitor(every=2.5)",
        _bad(every=2.5),
        match=r"Monitor\(every=\.\.\.\) must be a positive int",
    ),
    Case("monitoring", "Monitor(scheduler='cos')", _bad(scheduler="cos"), match="step"),
    Case("monitoring", "Monitor(scaler=object())", _bad(scaler=object()), match="GradScaler"),
    Case("monitoring", "Monitor(on_finding='print')", _bad(on_finding="print"), match="callable"),
    Case("monitoring", "Monitor(model=None)", _bad(model=None), match="torch.nn.Module"),
    Case("monitoring", "Monitor(optimizer=None)", _bad(optimizer=None), match="optimizer"),
    Case("monitoring", "attach() twice", _attach_twice, match="already attached"),
    Case(
        "monitoring",
        "detach() on a Monitor never attached",
        _detach_never_attached,
        expect="ok",
        check=lambda v: v is True,
    ),
    Case(
        "monitoring",
        "Monitor(every=10**9): only step 1 watched",
        lambda: _loop({"every": 10**9}, _every_huge),
        expect="ok",
        check=lambda m: (
            ([r["step"] for r in m.history] == [1] and m.state.step == 3) or "wrong steps"
        ),
    ),
    Case(
        "monitoring",
        "a backward pass that reaches no watched parameter",
        lambda: _loop({}, _unrelated_backward),
        expect="ok",
        check=lambda m: (
            (m.findings == [] and [r["micro_batches"] for r in m.history] == [1, 1])
            or f"{m.findings} {m.history}"
        ),
    ),
    Case(
        "monitoring",
        "torch.autograd.grad before loss.backward() (not an accumulation)",
        lambda: _loop({}, _autograd_grad),
        expect="ok",
        check=lambda m: (
            (m.findings == [] and [r["backward_passes"] for r in m.history] == [1, 1])
            or f"{m.findings} {m.history}"
        ),
    ),
    Case(
        "monitoring",
        "optimizer.step() with no backward pass in the window",
        lambda: _loop({}, _step_without_backward),
        expect="ok",
        check=lambda m: (
            (m.findings == [] and [r["micro_batches"] for r in m.history] == [0, 1])
            or f"{m.findings} {m.history}"
        ),
    ),
    Case(
        "monitoring",
        "attached in the middle of an accumulation window",
        _attached_mid_window,
        expect="ok",
        check=lambda m: m.findings == [] or str(m.findings),
    ),
    Case(
        "monitoring",
        "a tensor learning rate changed in place once per step",
        _tensor_lr,
        expect="ok",
        check=lambda m: m.findings == [] or str(m.findings),
    ),
    Case(
        "monitoring",
        "LBFGS step(closure) under the Monitor",
        _closure_lbfgs,
        expect="ok",
        check=lambda v: v is True or "findings or window sizes wrong under LBFGS",
    ),
]
