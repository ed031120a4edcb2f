"""The Lightning callback audits configure_optimizers under accumulation and monitors training.

Tiny LightningModule (Linear-LayerNorm-Linear) on 16 in-memory samples, batch 4 (4 batches an
epoch), CPU only.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from stepguard.findings import FindingsError
from stepguard.groups import param_groups
from stepguard.integrations.lightning import StepGuardCallback

logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)

BATCHES = 4  # per epoch
CLIP = 2.0


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Checkpointing stays on (Lightning's default ModelCheckpoint writes under the working dir).
    monkeypatch.chdir(tmp_path)


def loader() -> DataLoader[tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(0)
    ds = TensorDataset(torch.randn(16, 4, generator=g), torch.randn(16, 1, generator=g))
    return DataLoader(ds, batch_size=16 // BATCHES)


class Tiny(pl.LightningModule):
    """`schedule` picks what configure_optimizers returns; `step_in_training_step` is a bug."""

    def __init__(self, schedule: str = "good", step_in_training_step: bool = False) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 1))
        self.schedule = schedule
        self.step_in_training_step = step_in_training_step
        self.true_grad_norms: list[float] = []

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        if self.step_in_training_step:
            self.lr_schedulers().step()  # type: ignore[union-attr]
        return ((self.net(x) - y) ** 2).mean()

    def on_before_optimizer_step(self, optimizer: Any) -> None:
        grads = [p.grad for p in self.parameters() if p.grad is not None]
        self.true_grad_norms.append(float(torch.nn.utils.get_total_norm(grads)))

    def configure_optimizers(self) -> Any:
        if self.schedule == "coupled":
            return torch.optim.Adam(self.parameters(), lr=1e-2, weight_decay=0.01)
        opt = torch.optim.AdamW(param_groups(self, weight_decay=0.01), lr=1e-2)
        steps = int(self.trainer.estimated_stepping_batches)
        if self.schedule == "micro_batches":  # the bug: len(train_dataloader) * epochs
            total = BATCHES * int(self.trainer.max_epochs or 1)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=total)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
        if self.schedule == "epoch_lambda":  # steps per epoch, no length to check
            lam = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1.0)
            return [opt], [lam]
        if self.schedule == "epoch_interval":  # the bug: sized in steps, default interval
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps)
            return [opt], [sched]
        if self.schedule.startswith("frequency"):
            every = int(self.schedule.removeprefix("frequency"))
            lam = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5**s)
            cfg = {"scheduler": lam, "interval": "step", "frequency": every}
            return {"optimizer": opt, "lr_scheduler": cfg}
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def fit(
    module: Tiny,
    *callbacks: pl.Callback,
    accumulate: int = 2,
    epochs: int = 2,
    **kw: Any,
) -> pl.Trainer:
    options: dict[str, Any] = {
        "max_epochs": epochs,
        "accumulate_grad_batches": accumulate,
        "accelerator": "cpu",
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "logger": False,
        "callbacks": list(callbacks),
    }
    options.update(kw)
    trainer = pl.Trainer(**options)
    trainer.fit(module, loader())
    return trainer


def test_good_configuration_is_silent_monitored_exactly_and_unchanged(tmp_path: Path) -> None:
    cb = StepGuardCallback(raise_on="warning")
    module = Tiny("good")
    trainer = fit(
        module,
        cb,
        logger=CSVLogger(tmp_path, name="run"),
        log_every_n_steps=1,
        gradient_clip_val=CLIP,
    )
    assert cb.report is not None and cb.monitor_report is not None and cb.monitor is not None
    assert cb.report.at_least("warning") == []  # (SG105 info: a 4-step run is short)
    assert cb.report.summary["accumulate_grad_batches"] == 2
    assert cb.report.summary["estimated_stepping_batches"] == 4 == trainer.global_step
    assert cb.monitor_report.at_least("warning") == []
    history = cb.monitor.history
    assert [r["micro_batches"] for r in history] == [2, 2, 2, 2]
    # the Monitor measured the step's final gradients although Lightning runs the backward
    # inside optimizer.step(closure)
    assert [r["grad_norm"] for r in history] == pytest.approx(module.true_grad_norms, rel=1e-6)
    # Lightning's clipping (inside the closure) was seen: pre-clip norm, clipped flag, rate
    clipped = [float(n > CLIP) for n in module.true_grad_norms]
    assert [r["clipped"] for r in history] == clipped
    assert 0 < sum(clipped) < 4
    assert history[-1]["clip_rate"] == pytest.approx(sum(clipped) / 4)
    # a step scheduler runs once per optimizer step
    assert [r["scheduler_steps"] for r in history] == [0, 1, 1, 1]
    # monitoring did not change a bit of training
    plain = Tiny("good")
    fit(plain, gradient_clip_val=CLIP)
    for a, b in zip(module.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)
    # the instruments reached the trainer's logger
    with open(next(tmp_path.glob("run/*/metrics.csv"))) as f:
        rows = [r for r in csv.DictReader(f) if r.get("stepguard/grad_norm")]
    assert [int(r["step"]) for r in rows] == [0, 1, 2, 3]
    logged = [float(r["stepguard/grad_norm"]) for r in rows]
    assert logged == pytest.approx(module.true_grad_norms, rel=1e-6)
    assert all(float(r["stepguard/norm_weight_mean_abs"]) > 0.9 for r in rows)


def test_schedule_sized_in_micro_batches_is_sg205() -> None:
    cb = StepGuardCallback(monitor=False)
    fit(Tiny("micro_batches"), cb, accumulate=4)
    assert cb.report is not None
    (sg205,) = cb.report.by_code("SG205")
    assert sg205.data == {"schedule_steps": 8, "total_steps": 2, "accum_steps": 4}


def test_step_frequency_is_counted_in_batches_under_accumulation() -> None:
    cb = StepGuardCallback(monitor=False)
    trainer = fit(Tiny("frequency2"), cb, accumulate=2, epochs=2)
    assert cb.report is not None
    (sg205,) = cb.report.by_code("SG205")
    assert sg205.data["optimizer_steps_per_scheduler_step"] == 1
    assert "frequency=N*2" in sg205.message
    # what the finding says, measured: frequency=2 stepped on every one of the 4 optimizer steps
    assert trainer.global_step == 4
    assert trainer.lr_scheduler_configs[0].scheduler.last_epoch == 4
    # the advice it gives (every N=2 optimizer steps: frequency=4) steps on 2 of the 4
    cb4 = StepGuardCallback(monitor=False)
    fixed = fit(Tiny("frequency4"), cb4, accumulate=2, epochs=2)
    assert fixed.lr_scheduler_configs[0].scheduler.last_epoch == 2
    assert cb4.report is not None
    assert cb4.report.by_code("SG205")[0].data["optimizer_steps_per_scheduler_step"] == 2
    # without accumulation frequency means what it says: silent
    cb1 = StepGuardCallback(monitor=False)
    plain = fit(Tiny("frequency2"), cb1, accumulate=1, epochs=1)
    assert cb1.report is not None and cb1.report.by_code("SG205") == []
    assert plain.lr_scheduler_configs[0].scheduler.last_epoch == 2  # 4 optimizer steps / 2


def test_scheduler_sized_in_steps_but_stepped_per_epoch_is_sg205() -> None:
    cb = StepGuardCallback(monitor=False)
    trainer = fit(Tiny("epoch_interval"), cb)
    assert cb.report is not None
    (sg205,) = cb.report.by_code("SG205")
    assert sg205.data == {"schedule_steps": 4, "max_epochs": 2, "total_steps": 4}
    assert trainer.lr_scheduler_configs[0].scheduler.last_epoch == 2  # 2 of its 4 steps


def test_coupled_adam_is_raised_before_any_step() -> None:
    cb = StepGuardCallback(raise_on="error")
    module = Tiny("coupled")
    before = [p.detach().clone() for p in module.parameters()]
    with pytest.raises(FindingsError, match="SG101"):
        fit(module, cb)
    assert cb.report is not None and {"SG101", "SG102"} <= set(cb.report.codes)
    assert all(torch.equal(a, b) for a, b in zip(module.parameters(), before, strict=True))


def test_scheduler_stepped_in_training_step_is_sg202_and_raised_after_the_first_step() -> None:
    backward = torch.autograd.backward
    cb = StepGuardCallback(raise_on="error")
    module = Tiny("epoch_lambda", step_in_training_step=True)
    with pytest.raises(FindingsError, match="SG202"):
        fit(module, cb, epochs=1)
    assert module.trainer.global_step == 1
    assert torch.autograd.backward is backward  # detached before raising
    # the same loop without the bug is silent at runtime
    cb_ok = StepGuardCallback()
    fit(Tiny("good"), cb_ok)
    assert cb_ok.monitor_report is not None and cb_ok.monitor_report.at_least("warning") == []


def test_every_skips_instruments_between_steps() -> None:
    cb = StepGuardCallback(every=3)
    module = Tiny("good")
    fit(module, cb)
    assert cb.monitor is not None
    assert [r["step"] for r in cb.monitor.history] == [1, 4]
    # without clipping grad_norm is the Monitor's own reading at the step: taken after
    # Lightning's closure ran the backward inside optimizer.step(closure=...), not before it
    true = module.true_grad_norms
    assert [r["grad_norm"] for r in cb.monitor.history] == pytest.approx([true[0], true[3]])


class Windowed(Tiny):
    """Records, at each optimizer step, |accumulated grad| / |grad of the window's mean loss|."""

    def __init__(self) -> None:
        super().__init__("good")
        self.window: list[tuple[torch.Tensor, torch.Tensor]] = []
        self.ratios: list[float] = []

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        self.window.append(batch)
        return super().training_step(batch, batch_idx)

    def on_before_optimizer_step(self, optimizer: Any) -> None:
        params = {n: p.detach().clone().requires_grad_() for n, p in self.net.named_parameters()}
        x, y = (torch.cat(t) for t in zip(*self.window, strict=True))
        out = torch.func.functional_call(self.net, params, (x,))
        ref = torch.autograd.grad(((out - y) ** 2).mean(), list(params.values()))
        got = torch.nn.utils.get_total_norm([p.grad for p in self.net.parameters()])
        self.ratios.append(float(got / torch.nn.utils.get_total_norm(ref)))
        self.window.clear()


def test_lightnings_partial_last_window_is_divided_by_k_not_its_size() -> None:
    # 4 batches an epoch with accumulate_grad_batches=3: windows of 3 and 1; Lightning divides
    # every micro-batch loss by 3 (Lightning issue 19987), so each 1-batch window gets 1/3
    cb = StepGuardCallback()
    module = Windowed()
    fit(module, cb, accumulate=3, epochs=2)
    assert cb.monitor is not None
    assert [r["micro_batches"] for r in cb.monitor.history] == [3, 1, 3, 1]
    assert module.ratios == pytest.approx([1.0, 1 / 3, 1.0, 1 / 3], rel=1e-5)
    assert cb.monitor_report is not None and cb.monitor_report.codes == ["SG206"]
