"""Monitor SG208 on a real DistributedDataParallel model (one-process gloo group)."""

from __future__ import annotations

import contextlib

import pytest
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

from stepguard.monitoring import Monitor


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny tensors: intra-op threads only add contention (and are slow on a shared machine).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


K = 3


@pytest.fixture
def gloo(tmp_path):
    dist.init_process_group(
        "gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1
    )
    try:
        yield
    finally:
        dist.destroy_process_group()


def ddp_loop(*, no_sync: bool, steps: int = 2) -> Monitor:
    torch.manual_seed(0)
    model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(0)
    with Monitor(model, opt, audit=False) as mon:
        for i in range(steps * K):
            last = (i + 1) % K == 0
            ctx = model.no_sync() if no_sync and not last else contextlib.nullcontext()
            with ctx:
                x = torch.randn(5, 4, generator=g)
                loss = F.cross_entropy(model(x), (x[:, 0] > 0).long()) / K
                loss.backward()
            if last:
                opt.step()
                opt.zero_grad()
    return mon


@pytest.mark.slow
def test_sg208_fires_when_ddp_all_reduces_every_micro_batch_and_not_under_no_sync(gloo):
    mon = ddp_loop(no_sync=False)
    assert [(f.code, f.step, f.count) for f in mon.findings] == [("SG208", 1, 2)]
    assert "all 3 backward passes" in mon.findings[0].message
    quiet = ddp_loop(no_sync=True)
    assert quiet.findings == []
    assert [r["micro_batches"] for r in quiet.history] == [K, K]
