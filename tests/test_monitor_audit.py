"""Monitor runs the live audit at attach: SG1xx findings at step 0."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from stepguard.groups import param_groups
from stepguard.monitoring import Monitor


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny tensors: intra-op threads only add contention (and are slow on a shared machine).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 2))


def codes(mon: Monitor) -> set[str]:
    return {f.code for f in mon.findings}


def test_attach_runs_the_audit_and_reports_sg1xx_at_step_zero():
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)
    with Monitor(model, opt) as mon:
        pass
    assert {"SG101", "SG102"} <= codes(mon)
    assert all(f.step == 0 for f in mon.findings)


def test_attach_audit_is_silent_on_decoupled_decay_with_groups_and_can_be_turned_off():
    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=1e-2), lr=1e-3)
    with Monitor(model, opt) as mon:
        pass
    assert codes(mon) == set()
    bad = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)
    with Monitor(model, bad, audit=False) as quiet:
        pass
    assert codes(quiet) == set()


def test_schedule_length_is_public_and_reads_through_wrappers():
    from stepguard.auditing import schedule_length

    opt = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=120)

    class Prepared:  # accelerate's AcceleratedScheduler holds the scheduler in .scheduler
        def __init__(self, scheduler: object) -> None:
            self.scheduler = scheduler

        def step(self) -> None: ...

    assert schedule_length(sched) == (120, "OneCycleLR total_steps=120")
    assert schedule_length(Prepared(Prepared(sched)))[0] == 120
    assert schedule_length({"scheduler": sched, "interval": "step"})[0] == 120  # Lightning
    assert schedule_length(torch.optim.lr_scheduler.StepLR(opt, 10))[0] is None
