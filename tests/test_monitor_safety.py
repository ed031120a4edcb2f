"""The Monitor leaves no trace in what a user saves, copies or pickles; every patch is undone.

Each defect of issue 11 (Monitor part) has its one-line reproducer here; the objects are walked
(their ``__dict__``, recursively) and pickled with a pickler that fails on any stepguard object.
"""

from __future__ import annotations

import copy
import functools
import io
import pickle
import types
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import optimizer as optim_mod

from stepguard.monitoring import Monitor, _patch


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _is_ours(obj: Any) -> bool:
    mod = getattr(obj, "__module__", None) if callable(obj) else None
    return type(obj).__module__.startswith("stepguard") or (
        isinstance(mod, str) and mod.startswith("stepguard")
    )


def stepguard_objects_in(root: Any) -> list[str]:
    """What of stepguard is reachable from `root` through instance ``__dict__``s and containers
    (what ``state_dict()``, pickle and deepcopy read). Classes and modules are not entered.
    (torch's per-tensor gradient hooks live in C++, outside ``__dict__``; neither pickle nor
    deepcopy copies them, which the pickling and deep-copy checks show.)"""
    found, seen, todo = [], set(), [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType)):
            continue
        seen.add(id(obj))
        if _is_ours(obj):
            found.append(repr(obj)[:120])
            continue
        if isinstance(obj, dict):
            todo.extend(obj.keys())
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
        elif isinstance(obj, functools.partial):
            todo.extend([obj.func, *obj.args, *obj.keywords.values()])
        elif isinstance(obj, types.MethodType):
            todo.append(obj.__self__)
        elif isinstance(obj, types.FunctionType):
            todo.extend(c.cell_contents for c in obj.__closure__ or () if c.cell_contents)
        d = getattr(obj, "__dict__", None)
        if isinstance(d, dict):
            todo.append(d)
    return found


class NoStepguardPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if _is_ours(obj):
            raise AssertionError(f"pickling reached a stepguard object: {obj!r:.120}")
        return NotImplemented


def pickled_cleanly(obj: Any) -> bytes:
    buf = io.BytesIO()
    NoStepguardPickler(buf).dump(obj)
    torch.save(obj, io.BytesIO())
    return buf.getvalue()


def halve(step: int) -> float:  # module level: a LambdaLR holding it can be pickled
    return 0.5**step


def setup() -> tuple[nn.Module, torch.optim.Optimizer, Any, Any]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 2))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, halve)
    scaler = torch.amp.GradScaler("cpu", init_scale=4.0)
    return model, opt, sched, scaler


def one_step(model: nn.Module, opt: Any, sched: Any, scaler: Any) -> None:
    x = torch.randn(3, 4)
    scaler.scale(F.cross_entropy(model(x), torch.tensor([0, 1, 0]))).backward()
    scaler.unscale_(opt)
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(opt)
    scaler.update()
    opt.zero_grad()
    sched.step()


def test_nothing_of_the_monitor_is_in_what_state_dict_pickle_and_deepcopy_reach():
    model, opt, sched, scaler = setup()
    with Monitor(model, opt, scheduler=sched, scaler=scaler, audit=False):
        one_step(model, opt, sched, scaler)
        things = {
            "model": model,
            "optimizer": opt,
            "scheduler": sched,
            "scaler": scaler,
            "model.state_dict()": model.state_dict(),
            "optimizer.state_dict()": opt.state_dict(),
            "scheduler.state_dict()": sched.state_dict(),
            "scaler.state_dict()": scaler.state_dict(),
        }
        for name, obj in things.items():
            assert stepguard_objects_in(obj) == [], name
            pickled_cleanly(obj)  # raises on any stepguard object
            assert stepguard_objects_in(copy.deepcopy(obj)) == [], name
        for p in model.parameters():  # the gradient hooks are torch's, on the tensor, not pickled
            assert stepguard_objects_in(copy.deepcopy(p)) == []


def test_defect1_scheduler_state_dict_and_model_save_while_monitored():
    model, opt, sched, _ = setup()
    with Monitor(model, opt, scheduler=sched, audit=False) as mon:
        one_step(model, opt, sched, torch.amp.GradScaler("cpu", enabled=False))
        torch.save(sched.state_dict(), io.BytesIO())  # was: Can't pickle local object ... step
        torch.save(model, io.BytesIO())  # was: Can't pickle local object ... zero_grad
        saved = copy.deepcopy(sched.state_dict())
        other_opt = torch.optim.AdamW(nn.Linear(2, 2).parameters(), lr=1e-2)
        other = torch.optim.lr_scheduler.LambdaLR(other_opt, halve)
        other.load_state_dict(saved)
        before = (sched.last_epoch, mon.state.sched_total)
        other_opt.step()
        other.step()  # was: advanced the monitored scheduler instead
        assert (sched.last_epoch, mon.state.sched_total) == before
        assert other.last_epoch == before[0] + 1
        assert other_opt.param_groups[0]["lr"] == pytest.approx(1e-2 * 0.5**other.last_epoch)


def test_defect2_deepcopy_of_a_monitored_model_is_a_plain_independent_object():
    model, opt, sched, scaler = setup()
    mon = Monitor(model, opt, scheduler=sched, scaler=scaler, audit=False).attach()
    one_step(model, opt, sched, scaler)
    ema = copy.deepcopy(model)  # EMA / teacher / best-model copy, taken while monitored
    model(torch.randn(2, 4)).sum().backward()
    ema(torch.randn(2, 4)).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    zeroed = mon.state.zeroed_after
    ema.zero_grad()  # was: cleared the original's gradients (and counted as its zeroing)
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads, strict=True))
    assert all(p.grad is None for p in ema.parameters())
    assert mon.state.zeroed_after == zeroed
    mon.detach()
    ema(torch.randn(2, 4)).sum().backward()
    ema.zero_grad()  # ... even after detach
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads, strict=True))
    assert stepguard_objects_in(ema) == []
    # a copy of the optimizer and scheduler: plain objects, not watched
    opt2 = copy.deepcopy(opt)
    with Monitor(model, opt, scheduler=sched, audit=False) as mon2:
        opt2.step()
        copy.deepcopy(sched).step()
    assert mon2.state.opt_steps == 0 and mon2.state.sched_total == 0


def _patched_state() -> dict[str, Any]:
    return {
        "backward": torch.autograd.backward,
        "clip": nn.utils.clip_grad_norm_,
        "global_pre": dict(optim_mod._global_optimizer_pre_hooks),
        "global_post": dict(optim_mod._global_optimizer_post_hooks),
        "classes": _patch.watched_classes(),
    }


@pytest.mark.parametrize("how", ["meta", "frozen", "frozen-no-audit"])
def test_defect3_a_failed_attach_leaves_nothing_patched(how: str):
    before = _patched_state()
    if how == "meta":
        with torch.device("meta"):
            model = nn.Linear(3, 3)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        match = "meta device"
    else:
        model = nn.Linear(3, 3).requires_grad_(False)
        opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
        match = "no trainable parameters"
    own = {o: dict(vars(o)) for o in (model, opt)}
    mon = Monitor(model, opt, audit=how != "frozen-no-audit")
    with pytest.raises(ValueError, match=match) as info:
        mon.attach()
    assert "Monitor(model=...)" in str(info.value)
    assert _patched_state() == before
    assert all(vars(o) == d for o, d in own.items())
    assert not opt._optimizer_step_pre_hooks and not opt._optimizer_step_post_hooks
    assert mon.findings == [] and mon.history == []


def test_a_failure_half_way_through_install_removes_what_was_installed(monkeypatch):
    model, opt, sched, scaler = setup()
    before = _patched_state()

    def broken(obj: Any, name: str, handler: Any, **options: Any) -> Any:
        if name == "unscale_":
            raise RuntimeError("cannot patch")
        return real(obj, name, handler, **options)

    real = _patch.watch
    monkeypatch.setattr(_patch, "watch", broken)
    with pytest.raises(RuntimeError, match="cannot patch"):
        Monitor(model, opt, scheduler=sched, scaler=scaler, audit=False).attach()
    assert _patched_state() == before
    assert all(not p._post_accumulate_grad_hooks for p in model.parameters())


def test_an_on_finding_callback_that_raises_at_detach_still_removes_everything():
    model, opt, _, _ = setup()
    before = _patched_state()

    def explode(finding: Any) -> None:
        raise RuntimeError(f"logger down: {finding.code}")

    mon = Monitor(model, opt, audit=False, on_finding=explode).attach()
    for i in range(5):  # windows of 2, 2, then one pass that never reaches a step: SG206
        (F.cross_entropy(model(torch.randn(3, 4)), torch.tensor([0, 1, 0])) / 2).backward()
        if i % 2 == 1:
            opt.step()
            opt.zero_grad()
    with pytest.raises(RuntimeError, match="logger down"):
        mon.detach()
    assert _patched_state() == before
    mon.detach()  # idempotent


def test_class_patches_on_a_class_and_its_subclass_count_each_call_once_in_any_order():
    class Base:
        def step(self) -> str:
            return "base"

    class Sub(Base):
        def step(self) -> str:
            return "sub+" + super().step()

    class Leaf(Sub):  # inherits Sub.step
        pass

    base, sub, leaf, plain = Base(), Sub(), Leaf(), Sub()
    seen: list[str] = []

    def handler(tag: str) -> Any:
        def h(call: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(tag)
            return call(*args, **kwargs)

        return h

    before = {c: dict(vars(c)) for c in (Base, Sub, Leaf)}
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        watches = [
            _patch.watch(base, "step", handler("base")),
            _patch.watch(sub, "step", handler("sub")),
            _patch.watch(leaf, "step", handler("leaf")),
        ]
        seen.clear()
        assert (base.step(), sub.step(), leaf.step(), plain.step()) == (
            "base",
            "sub+base",
            "sub+base",
            "sub+base",
        )
        assert seen == ["base", "sub", "leaf"]  # once each; the unwatched instance not at all
        for i in order:
            assert _patch.unwatch(watches[i])
            seen.clear()
            assert (base.step(), sub.step(), leaf.step()) == ("base", "sub+base", "sub+base")
            assert len(seen) == sum(1 for j in order[order.index(i) + 1 :])
        for c, d in before.items():
            assert dict(vars(c)) == d, order


def test_cloudpickle_of_a_monitored_model_whose_class_is_pickled_by_value():
    import warnings

    import cloudpickle  # scikit-learn's joblib brings it; Ray, joblib and dask pickle with it

    class Net(nn.Module):  # a local class: cloudpickle pickles it by value, attributes and all
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(4, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.lin(x)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = set(vars(Net))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "left in place" warning at detach
        with Monitor(model, opt, audit=False):
            assert "zero_grad" in vars(Net)  # patched on the class
            data = cloudpickle.dumps(model)  # was: cannot pickle 'weakref.ReferenceType'
            assert b"stepguard" not in data
            back = cloudpickle.loads(data)
            assert all(
                torch.equal(a, b)
                for a, b in zip(back.parameters(), model.parameters(), strict=True)
            )
    # (loading in the same process, cloudpickle writes the pickled attributes back onto Net:
    # copies of __init__ and forward, and for zero_grad what the patch pickles as)
    assert set(vars(Net)) == before and "zero_grad" not in vars(Net)
    back.zero_grad()  # the plain method
