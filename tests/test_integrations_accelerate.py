"""Accumulator, Monitor and audit on objects prepared by accelerate.Accelerator (CPU, 1 process)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
import torch
from accelerate import Accelerator
from accelerate.optimizer import AcceleratedOptimizer
from accelerate.scheduler import AcceleratedScheduler
from accelerate.state import AcceleratorState, GradientState
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from stepguard.accumulation import Accumulator
from stepguard.groups import param_groups
from stepguard.integrations.accelerate import (
    accumulator,
    audit_accelerator,
    monitor,
    unwrap_optimizer,
    unwrap_scheduler,
)
from stepguard.monitoring import Monitor

K = 4
BATCHES = 10  # 10 micro-batches of 4: windows of 4, 4 and a partial one of 2


@pytest.fixture(autouse=True)
def fresh_accelerate_state() -> Iterator[None]:
    # Accelerator state is process-global; each test builds its own and leaves none behind.
    AcceleratorState._reset_state(reset_partial_state=True)
    GradientState._reset_state()
    yield
    AcceleratorState._reset_state(reset_partial_state=True)
    GradientState._reset_state()


def data(batches: int = BATCHES) -> TensorDataset:
    g = torch.Generator().manual_seed(0)
    return TensorDataset(
        torch.randn(4 * batches, 6, generator=g), torch.randn(4 * batches, 1, generator=g)
    )


def model_and_optimizer() -> tuple[nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.Linear(8, 1))
    return model, torch.optim.SGD(param_groups(model, weight_decay=0.0), lr=0.1)


def lam(opt: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LambdaLR:
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 / (1 + s))


def test_accumulator_on_prepared_objects_equals_big_batches() -> None:
    accelerator = Accelerator(cpu=True, gradient_accumulation_steps=K)
    model, opt = model_and_optimizer()
    sched = lam(opt)
    pm, po, ps, pdl = accelerator.prepare(model, opt, sched, DataLoader(data(), batch_size=4))
    assert isinstance(po, AcceleratedOptimizer) and isinstance(ps, AcceleratedScheduler)
    acc = accumulator(accelerator, pm, po, ps)
    assert acc.steps == K
    for x, y in acc.iterate(pdl):
        acc.backward(nn.functional.mse_loss(pm(x), y))
    # reference: one big batch per window (16, 16, 8), the same schedule
    ref, ref_opt = model_and_optimizer()
    ref_sched = lam(ref_opt)
    for x, y in DataLoader(data(), batch_size=4 * K):
        nn.functional.mse_loss(ref(x), y).backward()
        ref_opt.step()
        ref_opt.zero_grad()
        ref_sched.step()
    assert acc.optimizer_steps == 3 and sched.last_epoch == 3
    for a, b in zip(pm.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=2e-7)


def test_accumulator_takes_prepared_objects_and_still_checks_the_schedulers_optimizer() -> None:
    accelerator = Accelerator(cpu=True)
    model, opt = model_and_optimizer()
    sched = lam(opt)
    pm, po, ps, pdl = accelerator.prepare(model, opt, sched, DataLoader(data(), batch_size=4))
    # the scheduler built before prepare() drives the optimizer inside the wrapper (used to raise
    # "the scheduler is bound to a different optimizer")
    acc = Accumulator(pm, po, steps=K, scheduler=sched)
    for x, y in acc.iterate(pdl):
        acc.backward(nn.functional.mse_loss(pm(x), y))
    assert acc.optimizer_steps == 3 and sched.last_epoch == 3
    assert Accumulator(pm, po, steps=K, scheduler=ps).scheduler is ps
    # a prepared scheduler of another optimizer is still refused (the wrapper used to hide it)
    other = accelerator.prepare(lam(torch.optim.SGD(model.parameters(), lr=0.1)))
    with pytest.raises(ValueError, match="bound to a different optimizer"):
        Accumulator(pm, po, steps=K, scheduler=other)
    with pytest.raises(ValueError, match="bound to a different optimizer"):
        Accumulator(pm, opt, steps=K, scheduler=other)


def run_accelerate_idiom(
    batches: int, use_accelerator_backward: bool = True, plain_monitor: bool = False
) -> tuple[list[dict[str, float]], list[str], list[float]]:
    """The Accelerate docs' loop under a Monitor: history, finding codes, and per optimizer step
    the ratio of the accumulated gradient's norm to that of the window's big-batch mean loss."""
    accelerator = Accelerator(cpu=True, gradient_accumulation_steps=K)
    model, opt = model_and_optimizer()
    sched = lam(opt)
    loader = DataLoader(data(batches), batch_size=4)
    pm, po, ps, pdl = accelerator.prepare(model, opt, sched, loader)
    window: list[tuple[torch.Tensor, torch.Tensor]] = []
    ratios: list[float] = []

    def compare(o: object, a: object, k: object) -> None:
        params = {n: p.detach().clone().requires_grad_() for n, p in model.named_parameters()}
        x, y = (torch.cat(t) for t in zip(*window, strict=True))
        out = torch.func.functional_call(model, params, (x,))
        ref = torch.autograd.grad(nn.functional.mse_loss(out, y), list(params.values()))
        got = torch.nn.utils.get_total_norm([p.grad for p in model.parameters()])
        ratios.append(float(got / torch.nn.utils.get_total_norm(ref)))
        window.clear()

    opt.register_step_pre_hook(compare)
    if plain_monitor:  # the wrappers straight into Monitor: it unwraps them itself
        mon = Monitor(pm, po, scheduler=ps, audit=False)
        assert mon.optimizer is opt and mon.scheduler is sched
    else:
        mon = monitor(accelerator, pm, po, ps, audit=False)
    with mon:
        for x, y in pdl:
            window.append((x, y))
            with accelerator.accumulate(pm):
                loss = nn.functional.mse_loss(pm(x), y)
                if use_accelerator_backward:
                    accelerator.backward(loss)
                else:
                    loss.backward()  # the bug: no division by gradient_accumulation_steps
                po.step()
                ps.step()  # Accelerate's idiom: every micro-batch, the wrapper filters
                po.zero_grad()
    return mon.history, mon.report().codes, ratios


def test_monitor_on_prepared_objects_sees_accelerates_windows() -> None:
    history, codes, ratios = run_accelerate_idiom(batches=12)
    assert [r["micro_batches"] for r in history] == [4, 4, 4]
    assert [r["scheduler_steps"] for r in history] == [0, 1, 1]  # once per optimizer step
    assert ratios == pytest.approx([1.0, 1.0, 1.0], rel=1e-5)  # exact big-batch gradients
    assert codes == []


def test_monitor_given_the_accelerate_wrappers_watches_the_inner_optimizer() -> None:
    # AcceleratedOptimizer has no step hooks of its own: Monitor(model, po) used to fail with
    # AttributeError '_optimizer_step_pre_hooks'; the wrapped scheduler is called per micro-batch
    history, codes, ratios = run_accelerate_idiom(batches=12, plain_monitor=True)
    assert [r["micro_batches"] for r in history] == [4, 4, 4]
    assert [r["scheduler_steps"] for r in history] == [0, 1, 1]
    assert ratios == pytest.approx([1.0, 1.0, 1.0], rel=1e-5)
    assert codes == []


def test_monitor_on_prepared_objects_catches_unscaled_accumulation() -> None:
    _, codes, ratios = run_accelerate_idiom(batches=12, use_accelerator_backward=False)
    assert ratios == pytest.approx([4.0, 4.0, 4.0], rel=1e-5)
    assert codes == ["SG201"]


def test_accelerates_partial_last_window_is_divided_by_k_not_its_size() -> None:
    # accelerator.backward divides by gradient_accumulation_steps whatever the window's size, so
    # a last window of 2 micro-batches (10 batches, k=4) gets half its mean gradient
    history, codes, ratios = run_accelerate_idiom(batches=10)
    assert [r["micro_batches"] for r in history] == [4, 4, 2]
    assert ratios == pytest.approx([1.0, 1.0, 0.5], rel=1e-5)
    assert codes == ["SG206"]


def test_audit_accelerator_reads_gradient_accumulation_steps() -> None:
    accelerator = Accelerator(cpu=True, gradient_accumulation_steps=K)
    model, _ = model_and_optimizer()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.01), lr=1e-3)
    loader = DataLoader(data(), batch_size=4)
    epochs = 3
    optimizer_steps = math.ceil(len(loader) / K) * epochs  # 9
    bad = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=len(loader) * epochs)
    pm, po, ps, _ = accelerator.prepare(model, opt, bad, loader)
    report = audit_accelerator(accelerator, pm, po, ps, total_steps=optimizer_steps)
    (sg205,) = report.by_code("SG205")
    assert sg205.data == {"schedule_steps": 30, "total_steps": 9, "accum_steps": 4}
    assert report.summary["accelerate_gradient_accumulation_steps"] == K
    good = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=optimizer_steps)
    pgood = accelerator.prepare(good)
    report = audit_accelerator(accelerator, pm, po, pgood, total_steps=optimizer_steps)
    assert report.by_code("SG205") == []
    assert report.at_least("warning") == []


def test_audit_accelerator_reports_coupled_decay_through_the_wrapper() -> None:
    accelerator = Accelerator(cpu=True)
    model, _ = model_and_optimizer()
    po = accelerator.prepare(torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01))
    report = audit_accelerator(accelerator, model, po)
    assert {"SG101", "SG102"} <= set(report.codes)


def test_unwrap_and_bad_input() -> None:
    accelerator = Accelerator(cpu=True)
    model, opt = model_and_optimizer()
    sched = lam(opt)
    po, ps = accelerator.prepare(opt, sched)
    assert unwrap_optimizer(po) is opt and unwrap_optimizer(opt) is opt
    assert unwrap_scheduler(ps) is sched and unwrap_scheduler(None) is None
    with pytest.raises(TypeError, match=r"accelerate\.Accelerator"):
        audit_accelerator(model, model, opt)  # type: ignore[arg-type]
