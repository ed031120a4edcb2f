"""Round-6 window / AMP / DDP shapes of `stepguard lint` (issue 13), each bad and good.

- SG210: a window under a data test that skips a batch (``if mask.sum() > 0:`` around the whole
  iteration) with ``zero_grad()`` on every micro-batch; ``zero_grad()`` inside the step's own
  block before that block's backward (``if boundary: zero_grad(); backward(); step() else:
  backward()``);
- SG211: ``scaler.step`` inside ``with autocast():`` in one arm of an ``if``/``else``, the
  scheduler stepped after the ``if``; a scheduler given the iteration's index
  (``scheduler.step(i + epoch * len(loader))``) moves on like ``scheduler.step()``.
"""

from __future__ import annotations

import textwrap

from stepguard.lint import lint_source as _lint_source


def lint_source(source: str, path: str = "train.py") -> list:
    """The findings (with their activity) of one file linted on its own."""
    return [v.finding for v in _lint_source(textwrap.dedent(source), path)]


def _only(findings: list, code: str) -> list:
    return [f for f in findings if f.code == code]


def _line(source: str, text: str) -> int:
    """The 1-based line of the one line of dedented `source` that holds `text`."""
    (n,) = [i for i, s in enumerate(textwrap.dedent(source).splitlines(), 1) if text in s]
    return n


# -- SG210: a window under a data test that skips a batch ------------------------------------------

SKIPPING = """
    import argparse

    import torch


    parser = argparse.ArgumentParser()
    parser.add_argument("--accum_iter", type=int, default={k})
    opt = parser.parse_args()


    def train(model, loader, optimizer):
        for iteration, (x, target) in enumerate(loader):
            mask = target < 192
            if mask.sum() > 0:
                {zero_top}
                out = model(x)
                loss = torch.nn.functional.smooth_l1_loss(out[mask], target[mask])
                loss = loss / opt.accum_iter
                loss.backward()
                if (iteration + 1) % opt.accum_iter == 0:
                    optimizer.step()
                    {zero_after}
"""


def test_sg210_zero_grad_on_every_micro_batch_under_a_skip_test() -> None:
    bad = SKIPPING.format(k=1, zero_top="optimizer.zero_grad()", zero_after="pass")
    (sg210,) = _only(lint_source(bad), "SG210")
    assert sg210.line == _line(bad, "optimizer.zero_grad()")
    assert "runs on every micro-batch" in sg210.message
    assert sg210.data["activity"] == "latent"  # --accum_iter defaults to 1
    active = SKIPPING.format(k=4, zero_top="optimizer.zero_grad()", zero_after="pass")
    assert _only(lint_source(active), "SG210")[0].data["activity"] == "active"


def test_sg210_silent_under_a_skip_test_when_zeroing_after_the_step() -> None:
    good = SKIPPING.format(k=4, zero_top="pass", zero_after="optimizer.zero_grad()")
    findings = lint_source(good)
    assert _only(findings, "SG210") == []
    # The window is seen: a clip added on every micro-batch is SG203.
    clipped = good.replace(
        "loss.backward()\n",
        "loss.backward()\n                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n",
    )
    assert len(_only(lint_source(clipped), "SG203")) == 1


def test_no_window_under_a_skip_test_when_a_step_also_runs_outside_it() -> None:
    # The optimizer steps on every iteration outside the skipped block: no accumulation window.
    source = SKIPPING.format(k=4, zero_top="optimizer.zero_grad()", zero_after="pass").replace(
        "            mask = target < 192\n",
        "            mask = target < 192\n            optimizer.step()\n",
    )
    assert _only(lint_source(source), "SG210") == []


# -- SG210: zero_grad() in the step's block, before that block's backward --------------------------

BOUNDARY = """
    import torch


    class TrainConfig:
        gradient_accumulation_steps = 4
        max_grad_norm = 100


    def train(train_loader, model, optimizer, scheduler):
        for step, (x, y) in enumerate(train_loader):
            loss = torch.nn.BCELoss()(model(x), y)
            loss = loss / TrainConfig.gradient_accumulation_steps
            if (step + 1) % TrainConfig.gradient_accumulation_steps == 0:
                {last}
            else:
                loss.backward()
"""


def test_sg210_zero_grad_before_the_last_micro_batch_backward() -> None:
    bad = BOUNDARY.format(
        last="scheduler.step()\n"
        "                optimizer.zero_grad()\n"
        "                loss.backward()\n"
        "                optimizer.step()"
    )
    (sg210,) = _only(lint_source(bad), "SG210")
    assert sg210.line == _line(bad, "optimizer.zero_grad()")
    assert "before its backward" in sg210.message
    assert sg210.data["activity"] == "active"  # TrainConfig.gradient_accumulation_steps = 4


def test_sg210_silent_when_the_boundary_zeroes_after_its_step() -> None:
    good = BOUNDARY.format(
        last="loss.backward()\n"
        "                optimizer.step()\n"
        "                scheduler.step()\n"
        "                optimizer.zero_grad()"
    )
    assert _only(lint_source(good), "SG210") == []
    # Another optimizer's zero_grad before the backward is not this window's.
    other = BOUNDARY.format(
        last="critic_optimizer.zero_grad()\n"
        "                loss.backward()\n"
        "                optimizer.step()\n"
        "                optimizer.zero_grad()"
    ).replace(
        "    def train(", "    critic_optimizer = torch.optim.SGD([], lr=0.1)\n\n\n    def train("
    )
    assert _only(lint_source(other), "SG210") == []


# -- SG211: scaler.step in one arm of an if/else, the scheduler after it ---------------------------

ONE_ARM = """
    import argparse

    import torch
    from torch.cuda.amp import GradScaler, autocast


    parser = argparse.ArgumentParser()
    parser.add_argument("--precision", type=str, default="{precision}")
    args = parser.parse_args()


    def train(model, loader, optimizer, scheduler, precision):
        scaler = GradScaler(enabled=True)
        for i, batch in enumerate(loader):
            optimizer.zero_grad()
            if precision == "float16":
                with autocast():
                    loss = model(batch)
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
            else:
                loss = model(batch)
                loss.backward()
                optimizer.step()
            {sched}


    train(None, [], None, None, args.precision)
"""


def test_sg211_scheduler_after_an_if_whose_amp_arm_steps_the_scaler_inside_autocast() -> None:
    bad = ONE_ARM.format(precision="float16", sched="scheduler.step()")
    (sg211,) = _only(lint_source(bad), "SG211")
    assert sg211.line == _line(bad, "scheduler.step()")
    assert "scaler.step(optimizer)" in sg211.message


def test_sg211_scheduler_given_the_iteration_index_moves_on_like_a_plain_step() -> None:
    bad = ONE_ARM.format(precision="float16", sched="scheduler.step(i + 7 * len(loader))")
    (sg211,) = _only(lint_source(bad), "SG211")
    assert sg211.line == _line(bad, "scheduler.step(i + 7")


def test_sg211_silent_for_an_epoch_or_metric_argument_or_a_skip_check() -> None:
    # A metric (ReduceLROnPlateau) or another loop's index does not count iterations.
    for sched in ("scheduler.step(loss.item())", "scheduler.step(epoch)"):
        source = ONE_ARM.format(precision="float16", sched=sched)
        assert _only(lint_source(source), "SG211") == [], sched
    # Stepped only when the scale did not drop.
    checked = ONE_ARM.format(precision="float16", sched="scheduler.step()").replace(
        "                    scaler.update()\n",
        "                    before = scaler.get_scale()\n"
        "                    scaler.update()\n"
        "                    if before > scaler.get_scale():\n"
        "                        continue\n",
    )
    assert _only(lint_source(checked), "SG211") == []


# -- Lightning manual optimization: clip, schedule and DDP sync per micro-batch -------------------

MANUAL = """
    import os
    from dataclasses import dataclass

    import pytorch_lightning as pl
    import torch
    from transformers import get_linear_schedule_with_warmup

    from src.model.base import BaseModel


    @dataclass
    class ModelArguments:
        lr: float = 1e-5
        gradient_accumulation_steps: int = {k}


    class Model(BaseModel):
        def __init__(self, args):
            super().__init__()
            self.automatic_optimization = False
            self.args = args

        def training_step(self, batch, batch_idx):
            loss = self.compute_loss(batch)
            optimizer = self.optimizers()
            loss /= self.args.gradient_accumulation_steps
            {backward}
            self.clip_gradients(optimizer, gradient_clip_val=10.0, gradient_clip_algorithm="norm")
            if (batch_idx + 1) % self.args.gradient_accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
            scheduler = self.lr_schedulers()
            scheduler.step()
            return loss

        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=self.args.lr)
            scheduler = get_linear_schedule_with_warmup(
                optimizer, num_warmup_steps=100, num_training_steps={length}
            )
            return [optimizer], [scheduler]


    def main(train_loader, epochs):
        model = Model(ModelArguments())
        trainer = pl.Trainer(
            strategy={strategy},
            devices={devices},
            max_epochs=epochs,
            max_steps={max_steps},
        )
        trainer.fit(model, train_loader)
"""


def _manual(**kw: object) -> str:
    values = {
        "k": 2,
        "backward": "self.manual_backward(loss)",
        "length": "self.trainer.max_steps",
        "strategy": '"ddp"',
        "devices": 4,
        "max_steps": "epochs * len(train_loader)",
    }
    values.update(kw)
    return MANUAL.format(**values)


def test_lightning_clip_gradients_per_micro_batch_without_lightning_in_the_file() -> None:
    # The LightningModule's base class is imported from the project: `self.manual_backward`
    # and `automatic_optimization = False` say it is one.
    source = _manual().replace("import pytorch_lightning as pl\n", "import pl_shim as pl\n")
    (sg203,) = _only(lint_source(source), "SG203")
    assert sg203.line == _line(source, "self.clip_gradients(")
    assert sg203.data["activity"] == "active"  # k = 2 from the dataclass
    # Clipped once, on the accumulated gradient: silent.
    good = source.replace(
        "            self.clip_gradients(optimizer, gradient_clip_val=10.0, "
        'gradient_clip_algorithm="norm")\n',
        "",
    ).replace(
        "                optimizer.step()\n",
        "                self.clip_gradients(optimizer, gradient_clip_val=10.0)\n"
        "                optimizer.step()\n",
    )
    assert _only(lint_source(good), "SG203") == []


def test_lightning_schedule_sized_through_trainer_max_steps_in_micro_batches() -> None:
    # max_steps = epochs * len(loader) counts training_step calls: consistent with a per-call step.
    assert _only(lint_source(_manual()), "SG202") == []
    assert (
        _only(lint_source(_manual(length="self.trainer.estimated_stepping_batches")), "SG202") == []
    )
    # A literal number of optimizer steps, or a length of its own in optimizer steps: too fast.
    for bad in (
        _manual(max_steps=10000),
        _manual(
            length="len(self.trainer.train_dataloader) // self.args.gradient_accumulation_steps"
        ),
    ):
        (sg202,) = _only(lint_source(bad), "SG202")
        assert sg202.line == _line(bad, "scheduler.step()")


def test_lightning_manual_backward_syncs_every_micro_batch_under_ddp() -> None:
    source = _manual()
    (sg208,) = _only(lint_source(source), "SG208")
    assert sg208.line == _line(source, "self.manual_backward(loss)")
    assert "toggle_model(sync_grad=False)" in sg208.message
    assert sg208.data["activity"] == "active"  # strategy "ddp", 4 devices, k = 2
    # Devices counted at run time: latent, with the reason.
    runtime = _manual(devices='len(os.environ["CUDA_VISIBLE_DEVICES"].split(","))')
    (latent,) = _only(lint_source(runtime), "SG208")
    assert latent.data["activity"] == "latent" and "devices > 1" in latent.message
    # No strategy given: Lightning picks DDP for several devices.
    assert (
        len(_only(lint_source(_manual(strategy="None").replace("strategy=None,", "")), "SG208"))
        == 1
    )


def test_lightning_manual_backward_silent_without_ddp_or_when_the_sync_is_blocked() -> None:
    for kw in (
        {"strategy": '"deepspeed_stage_2"'},
        {"strategy": '"dp"'},
        {"devices": 1},
        {"k": 1, "backward": "self.manual_backward(loss)"},
    ):
        assert _only(lint_source(_manual(**kw)), "SG208") == [] or kw.get("k") == 1, kw
    latent_k1 = _only(lint_source(_manual(k=1)), "SG208")
    assert [f.data["activity"] for f in latent_k1] == ["latent"]
    blocked = _manual(
        backward="with optimizer.toggle_model(sync_grad=(batch_idx + 1) % 2 == 0):\n"
        "                self.manual_backward(loss)"
    )
    assert _only(lint_source(blocked), "SG208") == []
    # No Trainer in the linted files: whether it runs DDP is not visible.
    alone = _manual().split("    def main(")[0]
    assert _only(lint_source(alone), "SG208") == []


# -- the literal-count convention: a local literal 1 is no window ---------------------------------

LITERAL = """
    import argparse

    import torch

    {module}

    def train(model, loader, optimizer, scheduler{param}):
        {local}
        for i, (x, y) in enumerate(loader):
            loss = torch.nn.functional.mse_loss(model(x), y) / accumulation_steps
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scheduler.step()
            if (i + 1) % accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
"""


def _literal(module: str = "", param: str = "", local: str = "pass") -> str:
    return LITERAL.format(module=module, param=param, local=local)


def test_a_local_literal_one_is_no_window() -> None:
    assert lint_source(_literal(local="accumulation_steps = 1")) == []
    # A literal 1 in the guard itself.
    inline = _literal(local="accumulation_steps = 1").replace(
        "(i + 1) % accumulation_steps", "(i + 1) % 1"
    )
    assert lint_source(inline) == []


def test_a_literal_one_that_is_a_setting_keeps_latent_findings() -> None:
    for source in (
        _literal(module="accumulation_steps = 1"),  # a module global (a settings block)
        _literal(param=", accumulation_steps=1"),  # a parameter default
        _literal(
            local="accumulation_steps = 1\n        accumulation_steps = int(accumulation_steps)"
        ),
        _literal(
            module='p = argparse.ArgumentParser()\n    p.add_argument("--k", type=int, default=1)'
            "\n    args = p.parse_args()",
            local="accumulation_steps = args.k",
        ),
    ):
        codes = sorted(f.code for f in lint_source(source))
        assert codes == ["SG202", "SG203"], source
        assert {f.data["activity"] for f in lint_source(source)} == {"latent"}
    # A local literal > 1 is a real window, active.
    active = lint_source(_literal(local="accumulation_steps = 4"))
    assert sorted(f.code for f in active) == ["SG202", "SG203"]
    assert {f.data["activity"] for f in active} == {"active"}


# -- SG211: the Trainer built under `if __name__ == "__main__":` is the script's own -------------

STEP_INTERVAL = """
    import pytorch_lightning as pl
    import torch
    import transformers


    class Module(pl.LightningModule):
        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=1e-4)
            scheduler = {
                "scheduler": transformers.get_linear_schedule_with_warmup(optimizer, 100, 1000),
                "interval": "step",
            }
            return [optimizer], [scheduler]


    if __name__ == "__main__":
        if USE_FP16:
            trainer = pl.Trainer(precision=16)
"""


def test_sg211_main_guard_around_the_trainer_is_no_setting() -> None:
    source = STEP_INTERVAL.replace("        if USE_FP16:\n    ", "")
    (sg211,) = _only(lint_source(source), "SG211")
    assert sg211.data["activity"] == "active", sg211.message
    # A real setting around it still decides.
    (latent,) = _only(lint_source(STEP_INTERVAL), "SG211")
    assert latent.data["activity"] == "latent" and "USE_FP16" in latent.message


# -- activity: a config dict handed down through calls; a DDP flag parameter; an unseen DDP wrap --

HANDED_DOWN = """
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP


    def run_epoch(loader, model, optimizer, scheduler, accum_iter=1):
        for i, (x, y) in enumerate(loader):
            loss = torch.nn.functional.cross_entropy(model(x), y) / accum_iter
            loss.backward()
            if i % accum_iter == 0:
                optimizer.step()
                optimizer.zero_grad()
            scheduler.step()


    def train_worker(gpu, model, loader, config, is_distributed=False):
        if is_distributed:
            dist.init_process_group("nccl", rank=gpu, world_size=2)
            model = DDP(model, device_ids=[gpu])
        optimizer = torch.optim.Adam(model.parameters(), lr=config["base_lr"])
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
        run_epoch(loader, model, optimizer, scheduler, accum_iter=config["accum_iter"])


    def train_model(model, loader, config):
        train_worker(0, model, loader, config, {flag})


    def main(model, loader):
        config = {{"base_lr": 1.0, "accum_iter": {k}}}
        train_model(model, loader, config)
"""


def test_a_dict_literal_handed_down_through_parameters_decides_the_window() -> None:
    active = lint_source(HANDED_DOWN.format(k=10, flag="False"))
    (sg202,) = _only(active, "SG202")
    assert sg202.data["activity"] == "active"
    assert "accum_iter=10" in sg202.data["activity_reason"]
    (latent,) = _only(lint_source(HANDED_DOWN.format(k=1, flag="False")), "SG202")
    assert latent.data["activity"] == "latent" and "default 1" in latent.data["activity_reason"]


def test_sg208_follows_the_flag_parameter_that_guards_the_ddp_wrap() -> None:
    (off,) = _only(lint_source(HANDED_DOWN.format(k=10, flag="False")), "SG208")
    assert off.data["activity"] == "latent" and "is_distributed" in off.data["activity_reason"]
    (on,) = _only(lint_source(HANDED_DOWN.format(k=10, flag="True")), "SG208")
    assert on.data["activity"] == "active"


UNSEEN_WRAP = """
    import torch

    from mypkg.utils import wrap_ddp


    def train(model, loader, optimizer, k=8):
        model = wrap_ddp(model)
        for i, batch in enumerate(loader):
            loss = model(batch) / k
            if (i + 1) % k != 0 and hasattr(model, "no_sync"):
                with model.no_sync():
                    loss.backward()
            else:
                loss.backward()
            if (i + 1) % k == 0:
                optimizer.step()
                optimizer.zero_grad()
"""


def test_sg212_latent_on_the_world_size_when_the_code_also_runs_without_ddp() -> None:
    # `hasattr(model, "no_sync")`: the code runs with and without DDP, and no wrap is visible.
    (sg212,) = _only(lint_source(UNSEEN_WRAP), "SG212")
    assert sg212.data["activity"] == "latent"
    assert "world size" in sg212.data["activity_reason"]
    # The wrap visible in the file: the world size no longer decides whether it is DDP.
    seen = UNSEEN_WRAP.replace(
        "from mypkg.utils import wrap_ddp",
        "from torch.nn.parallel import DistributedDataParallel as wrap_ddp",
    )
    (active,) = _only(lint_source(seen), "SG212")
    assert active.data["activity"] == "active"
    # Without the test the code says it is DDP: the world size stays a launch detail.
    plain = UNSEEN_WRAP.replace(' and hasattr(model, "no_sync")', "")
    assert _only(lint_source(plain), "SG212")[0].data["activity"] == "active"


# -- SG201: the loss from a callable object handed in, returning a tuple ---------------------------

LOSS_OBJECT = """
    import torch


    class SimpleLossCompute:
        def __init__(self, generator, criterion):
            self.generator = generator
            self.criterion = criterion

        def __call__(self, x, y, norm):
            x = self.generator(x)
            sloss = self.criterion(x.view(-1, x.size(-1)), y.view(-1)) / norm
            return sloss.data * norm, sloss


    def run_epoch(data_iter, model, loss_compute, optimizer, accum_iter=1):
        for i, batch in enumerate(data_iter):
            out = model.forward(batch.src, batch.tgt)
            loss, loss_node = loss_compute(out, batch.tgt_y, {norm})
            {divide}
            loss_node.backward()
            if i % accum_iter == 0:
                optimizer.step()
                optimizer.zero_grad()


    def train(model, generator, data_iter):
        optimizer = torch.optim.Adam(model.parameters(), lr=1.0)
        criterion = torch.nn.KLDivLoss(reduction="sum")
        run_epoch(data_iter, model, SimpleLossCompute(generator, criterion), optimizer, accum_iter=10)
"""


def test_sg201_loss_from_a_handed_in_callable_normalised_per_micro_batch() -> None:
    bad = LOSS_OBJECT.format(norm="batch.ntokens", divide="pass")
    (sg201,) = _only(lint_source(bad), "SG201")
    assert sg201.line == _line(bad, "loss_node.backward()")
    assert sg201.data["activity"] == "active"  # accum_iter=10 from the caller


def test_sg201_silent_when_divided_or_normalised_over_the_window() -> None:
    divided = LOSS_OBJECT.format(norm="batch.ntokens", divide="loss_node = loss_node / accum_iter")
    assert _only(lint_source(divided), "SG201") == []
    # A count of the whole window (computed before the loop), or one named like k: not the
    # micro-batch's own mean; the linter does not guess.
    for norm in ("window_tokens", "batch.accum_tokens"):
        source = LOSS_OBJECT.format(norm=norm, divide="pass")
        assert _only(lint_source(source), "SG201") == [], norm
