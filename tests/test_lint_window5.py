"""Round-5 window / AMP / DDP / scheduler shapes of `stepguard lint` (issue 13), each bad and good.

- SG202: a schedule sized in per-rank batches through a name that says "steps" but counts samples
  (``total_steps = len(train_dataset)``; ``epochs * (total_steps // (batch_size * world_size))``)
  and stepped per micro-batch is consistent;
- SG205: a per-call window (``train_step(..., step)``) run by ``for step in range(total_steps):``
  with the schedule given that same ``total_steps``; a schedule built by a helper whose branches
  all receive the caller's ``len(loader) * epochs``; a float window length (``1.0``) is latent;
- SG211: schedulers stepped before a helper that calls ``scaler.step`` (``for lrs in
  lr_schedulers: lrs.step()`` then ``take_optimizer_step(...)``), latent when the helper that
  returns the scaler builds it only under ``if args.fp16:``.
"""

from __future__ import annotations

import textwrap

import torch

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


# -- SG202: a schedule sized in per-rank batches through a "steps" name ---------------------------

PER_RANK = """
    import torch
    import transformers


    def train(cfg, model, train_dataset, train_loader, world_size):
        optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
        total_steps = {total}
        scheduler = transformers.get_cosine_schedule_with_warmup(
            optimizer,
            num_warmup_steps=cfg.warmup,
            num_training_steps={length},
        )
        i = 0
        for epoch in range(cfg.epochs):
            for batch in train_loader:
                i += 1
                loss = model(batch) / cfg.grad_accumulation
                loss.backward()
                if i % cfg.grad_accumulation == 0:
                    optimizer.step()
                    optimizer.zero_grad()
                scheduler.step()
"""


def test_sg202_silent_on_a_samples_count_named_steps_divided_by_the_batch() -> None:
    good = PER_RANK.format(
        total="len(train_dataset)",
        length="cfg.epochs * (total_steps // (cfg.batch_size * world_size))",
    )
    assert _only(lint_source(good), "SG202") == []


def test_sg202_fires_when_the_steps_name_counts_steps_or_the_length_divides_by_k() -> None:
    # A step count divided by the batch size is no number of batches: not micro-batches.
    steps = PER_RANK.format(
        total="cfg.max_steps",
        length="cfg.epochs * (total_steps // (cfg.batch_size * world_size))",
    )
    (sg202,) = _only(lint_source(steps), "SG202")
    assert sg202.line == _line(steps, "scheduler.step()") and "once per window" in sg202.message
    # Sized in optimizer steps (divided by k) and stepped per micro-batch.
    per_window = PER_RANK.format(
        total="len(train_dataset)",
        length="cfg.epochs * (total_steps // (cfg.batch_size * world_size)) // cfg.grad_accumulation",
    )
    assert len(_only(lint_source(per_window), "SG202")) == 1


# -- SG205: a per-call window run by `for step in range(total_steps)` ------------------------------

PER_CALL = """
    import math

    import torch


    def create_scheduler(optimizer, total_steps):
        def lr_lambda(step):
            return 0.5 * (1 + math.cos(math.pi * step / total_steps))

        return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


    def train_step(model, batch, optimizer, scheduler, accumulation_steps, step):
        loss = model(batch) / accumulation_steps
        loss.backward()
        if (step + 1) % accumulation_steps == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()


    def main(model, data_iter, total_tokens):
        accum_steps = 8
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
        tokens_per_step = 4 * 2048 * accum_steps
        total_steps = total_tokens // tokens_per_step
        scheduler = create_scheduler(optimizer, {length})
        for step in range({bound}):
            train_step(model, next(data_iter), optimizer, scheduler, accum_steps, step)
"""


def test_sg205_schedule_given_the_bound_of_the_loop_that_calls_a_per_call_window() -> None:
    bad = PER_CALL.format(length="total_steps", bound="total_steps")
    (sg205,) = _only(lint_source(bad), "SG205")
    # Reported where the loop's count is set: the `// accum_steps` goes there.
    assert sg205.line == _line(bad, "total_steps = total_tokens")
    assert "`create_scheduler` is given `total_steps` (= `total_tokens // tokens_per_step`)" in (
        sg205.message
    )
    loop = _line(bad, "for step in range")
    assert f"the bound of the micro-batch loop (line {loop})" in sg205.message
    assert "accumulation_steps times too long" in sg205.message
    assert sg205.data["activity"] == "active"


def test_sg205_silent_when_the_loop_counts_optimizer_steps_times_k() -> None:
    # The loop runs k micro-batches per scheduled step: the schedule counts optimizer steps.
    good = PER_CALL.format(length="total_steps", bound="total_steps * accum_steps")
    assert _only(lint_source(good), "SG205") == []
    # A schedule sized by another count than the loop's bound: not this shape.
    other = PER_CALL.format(length="total_steps", bound="len(data_iter)")
    assert _only(lint_source(other), "SG205") == []


def test_sg205_silent_when_the_per_call_window_is_called_from_two_loops() -> None:
    source = PER_CALL.format(length="total_steps", bound="total_steps") + textwrap.indent(
        "for step in range(10):\n"
        "    train_step(model, next(data_iter), optimizer, scheduler, accum_steps, step)\n",
        "        ",
    )
    assert _only(lint_source(source), "SG205") == []


# -- SG205: a schedule built by a helper with one scheduler per branch ----------------------------

HELPER_BUILT = """
    import torch
    from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup


    class Config:
        scheduler_type = "cosine"
        gradient_accumulation_steps = {k}
        nepochs = 5


    def get_scheduler(cfg, optimizer, num_train_steps):
        if cfg.scheduler_type == "linear":
            scheduler = get_linear_schedule_with_warmup(
                optimizer, num_warmup_steps=100, num_training_steps={linear}
            )
        elif cfg.scheduler_type == "cosine":
            scheduler = get_cosine_schedule_with_warmup(
                optimizer, num_warmup_steps=100, num_training_steps=num_train_steps
            )
        return scheduler


    def train_fn(cfg, model, loader, optimizer, scheduler):
        for i, batch in enumerate(loader):
            loss = model(batch) / cfg.gradient_accumulation_steps
            loss.backward()
            if (i + 1) % cfg.gradient_accumulation_steps == 0:
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()


    def training_loop(cfg, model, loader):
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        num_training_steps = int(len(loader) * cfg.nepochs)
        scheduler = get_scheduler(cfg, optimizer, num_training_steps)
        for epoch in range(cfg.nepochs):
            train_fn(cfg, model, loader, optimizer, scheduler)


    cfg = Config()
"""


def test_sg205_length_passed_through_a_helper_with_a_scheduler_per_branch() -> None:
    bad = HELPER_BUILT.format(k="4", linear="num_train_steps")
    (sg205,) = _only(lint_source(bad), "SG205")
    assert sg205.line == _line(bad, "num_training_steps = int(len(loader)")
    assert "counts micro-batches of `loader`" in sg205.message
    assert sg205.data["activity"] == "active"


def test_sg205_float_window_length_one_is_latent() -> None:
    (sg205,) = _only(lint_source(HELPER_BUILT.format(k="1.0", linear="num_train_steps")), "SG205")
    assert sg205.data["activity"] == "latent"
    assert "gradient_accumulation_steps > 1" in sg205.message


def test_sg205_silent_when_a_helper_branch_is_given_another_length() -> None:
    # One branch sized otherwise: which one runs is a setting; precision first.
    mixed = HELPER_BUILT.format(k="4", linear="1000")
    assert _only(lint_source(mixed), "SG205") == []
    # Sized in optimizer steps in the caller: consistent.
    good = HELPER_BUILT.format(k="4", linear="num_train_steps").replace(
        "int(len(loader) * cfg.nepochs)",
        "int(len(loader) // cfg.gradient_accumulation_steps * cfg.nepochs)",
    )
    assert _only(lint_source(good), "SG205") == []


# -- SG211: schedulers stepped before a helper that calls scaler.step -----------------------------

BEFORE_HELPER = """
    import argparse

    import torch
    from torch.cuda.amp import GradScaler


    def prepare_optimizers(args, model):
        optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
        lr_schedulers = [torch.optim.lr_scheduler.LinearLR(optimizer)]
        scaler = None
        if args.fp16:
            scaler = GradScaler()
        return optimizer, lr_schedulers, scaler


    def take_optimizer_step(optimizer, scaler):
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        optimizer.zero_grad()


    def main(args, model, loader):
        optimizer, lr_schedulers, scaler = prepare_optimizers(args, model)
        for step, batch in enumerate(loader):
            loss = model(batch)
            loss.backward()
            if {guard}:
{body}


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--fp16", default={fp16}, action="store_true")
        parser.add_argument("--lr", default=1e-4, type=float)
        main(parser.parse_args(), build_model(), build_loader())
"""

SCHED_THEN_STEP = """\
                for lrs in lr_schedulers:
                    lrs.step()
                take_optimizer_step(optimizer, scaler)"""

STEP_THEN_CHECKED = """\
                scale = scaler.get_scale() if scaler is not None else 1.0
                take_optimizer_step(optimizer, scaler)
                if scaler is None or scaler.get_scale() >= scale:
                    for lrs in lr_schedulers:
                        lrs.step()"""


def test_sg211_schedulers_stepped_before_a_helper_that_calls_scaler_step() -> None:
    bad = BEFORE_HELPER.format(guard="step % 4 == 3", body=SCHED_THEN_STEP, fp16=False)
    (sg211,) = _only(lint_source(bad), "SG211")
    assert sg211.line == _line(bad, "lrs.step()")
    assert "runs before, and advances even when, `take_optimizer_step" in sg211.message
    assert "(which calls `scaler.step`)" in sg211.message
    # The scaler exists only with --fp16 (default False): latent, with the condition.
    assert sg211.data["activity"] == "latent"
    assert "args.fp16" in sg211.message
    on = BEFORE_HELPER.format(guard="step % 4 == 3", body=SCHED_THEN_STEP, fp16=True)
    (sg211,) = _only(lint_source(on), "SG211")
    assert sg211.data["activity"] == "active"


def test_sg211_silent_when_the_schedulers_step_after_a_scale_check() -> None:
    good = BEFORE_HELPER.format(guard="step % 4 == 3", body=STEP_THEN_CHECKED, fp16=True)
    assert _only(lint_source(good), "SG211") == []


def test_sg211_silent_on_a_scheduler_stepped_before_a_window_guard() -> None:
    # Stepped on every micro-batch before the guard: a schedule counted in micro-batches (SG202's
    # business when it is not), not one that follows the optimizer's steps.
    body = "                pass"
    source = BEFORE_HELPER.format(guard="step % 4 == 3", body=body, fp16=True).replace(
        "            if step % 4 == 3:\n" + body,
        "            for lrs in lr_schedulers:\n"
        "                lrs.step()\n"
        "            if step % 4 == 3:\n"
        "                take_optimizer_step(optimizer, scaler)",
    )
    assert "lrs.step()" in source
    assert _only(lint_source(source), "SG211") == []


# -- SG211 / SG204: a GradScaler that is never enabled ---------------------------------------------

NEVER_ENABLED = """
    import torch


    def train(model, loader, optimizer, schedule, cfg):
        ptdtype = {{"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}}[
            cfg.dtype
        ]
        scaler = torch.cuda.amp.GradScaler(enabled={enabled})
        for x, y in loader:
            with torch.autocast(device_type="cuda", dtype=ptdtype):
                loss = model(x, y)
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            schedule.step()
"""


def test_scaler_enabled_by_a_dtype_compared_with_a_string_never_skips() -> None:
    # `torch.float16 == "float16"` is False: the scaler is never enabled, never skips a step and
    # multiplies by 1, so neither SG211 nor SG204 applies.
    assert (torch.float16 == "float16") is False
    for enabled in ('(ptdtype == "float16")', '"float16" == ptdtype', "False", "ptdtype is 'x'"):
        found = lint_source(NEVER_ENABLED.format(enabled=enabled))
        assert _only(found, "SG211") == [] and _only(found, "SG204") == [], enabled


def test_scaler_enabled_by_a_real_dtype_test_or_an_unresolved_value_still_reported() -> None:
    for enabled in (
        "ptdtype == torch.float16",  # the right comparison: enabled under float16
        'cfg.dtype == "float16"',  # a string setting compared with a string
        'dtype == "float16"',  # a name the file never binds: not certainly a dtype
        'ptdtype != "float16"',  # always true: always enabled
    ):
        found = lint_source(NEVER_ENABLED.format(enabled=enabled))
        assert len(_only(found, "SG211")) == 1, enabled
        assert len(_only(found, "SG204")) == 1, enabled


# -- SG211: Lightning's schedulers under manual optimization ---------------------------------------

LIGHTNING = """
    import pytorch_lightning as pl
    import torch
    import transformers


    class LitModel(pl.LightningModule):
        def __init__(self):
            super().__init__()
    {init}
        def training_step(self, batch, batch_idx):
            opt = self.optimizers()
            self.manual_backward(self.model(batch))
            opt.step()
            opt.zero_grad()

        def configure_optimizers(self):
            opt = torch.optim.AdamW(self.parameters(), lr=1e-4)
            sched = {{
                "scheduler": transformers.get_linear_schedule_with_warmup(opt, 100, 10000),
                "interval": "step",
            }}
            return [opt], [sched]
    {extra}

    if __name__ == "__main__":
        trainer = pl.Trainer(precision=16{trainer})
        trainer.fit(LitModel())
"""


def _lightning(init: str = "", extra: str = "", trainer: str = "") -> str:
    return LIGHTNING.format(init=init or "        pass\n", extra=extra, trainer=trainer)


def test_sg211_silent_when_the_module_switches_to_manual_optimization() -> None:
    # From Lightning 1.3 on, manual optimization leaves every scheduler to the module: Lightning
    # steps none of them, so none advances on a skipped step (however the switch is spelled).
    for init, extra in (
        ("        self.automatic_optimization = False\n", ""),
        ("        self.automatic_optimization=False\n", ""),
        (
            "",
            "\n        @property\n        def automatic_optimization(self):\n"
            "            return False\n",
        ),
    ):
        assert _only(lint_source(_lightning(init, extra)), "SG211") == [], (init, extra)


def test_sg211_lightning_steps_the_schedulers_of_a_manual_trainer_before_1_3() -> None:
    # `Trainer(automatic_optimization=False)` exists only before Lightning 1.3, which still stepped
    # the schedulers of `configure_optimizers` under manual optimization.
    (sg211,) = _only(lint_source(_lightning(trainer=", automatic_optimization=False")), "SG211")
    assert "Lightning before 1.3" in sg211.message
    # Automatic optimization: reported, without the clause.
    (sg211,) = _only(lint_source(_lightning()), "SG211")
    assert "Lightning before 1.3" not in sg211.message
    # The module attribute set to True is no switch to manual optimization.
    on = _lightning("        self.automatic_optimization = True\n")
    assert len(_only(lint_source(on), "SG211")) == 1


# -- activity: a DDP wrap behind a flag; argparse defaults a required config replaces --------------

DDP_FLAG = """
    import argparse

    import torch
    import torch.distributed as dist
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.nn.parallel import DistributedDataParallel as DDP


    def train_step(model, batch, optimizer, accumulation_steps, step):
        loss = model(batch) / accumulation_steps
        loss.backward()
        if (step + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--use-ddp", {flag})
        parser.add_argument("--accum", type=int, default=8)
        args = parser.parse_args()
        dist.init_process_group("nccl")
        model = build_model()
        {wrap}
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        for step, batch in enumerate(loader()):
            train_step(model, batch, optimizer, args.accum, step)
"""

WRAP_IF = "if {test}:\n            model = DDP(model.cuda())\n        else:\n            model = FSDP(model)"


def test_sg208_latent_when_the_ddp_wrap_is_behind_an_unset_flag() -> None:
    off = DDP_FLAG.format(flag='action="store_true"', wrap=WRAP_IF.format(test="args.use_ddp"))
    (sg208,) = _only(lint_source(off), "SG208")
    assert sg208.data["activity"] == "latent"
    assert "only if `args.use_ddp` is true" in sg208.message


def test_sg208_active_when_the_flag_defaults_on_or_the_wrap_is_unconditional() -> None:
    on = DDP_FLAG.format(flag="type=int, default=1", wrap=WRAP_IF.format(test="args.use_ddp"))
    (sg208,) = _only(lint_source(on), "SG208")
    assert sg208.data["activity"] == "active"
    plain = DDP_FLAG.format(flag='action="store_true"', wrap="model = DDP(model.cuda())")
    (sg208,) = _only(lint_source(plain), "SG208")
    assert sg208.data["activity"] == "active"
    # A run-time test (the process count) is no setting: it stays neutral.
    runtime = DDP_FLAG.format(
        flag='action="store_true"', wrap=WRAP_IF.format(test="dist.get_world_size() > 1")
    )
    (sg208,) = _only(lint_source(runtime), "SG208")
    assert sg208.data["activity"] == "active"


CONFIG_PARSER = """
    import argparse

    import torch
    from utils.misc import parse_with_config


    def main(opts, model, loader):
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        for step, batch in enumerate(loader):
            loss = criterion(model(batch), batch)
            loss.backward()
            if (step + 1) % opts.gradient_accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--gradient_accumulation_steps", type=int, default=16)
        parser.add_argument("--config"{config})
        args = {parse}
        main(args, build_model(), build_loader())
"""


def test_argparse_default_a_required_config_file_replaces_is_not_certain() -> None:
    source = CONFIG_PARSER.format(config=", required=True", parse="parse_with_config(parser)")
    (sg201,) = _only(lint_source(source), "SG201")
    assert sg201.data["activity"] == "latent"
    assert "the default 16 at train.py:" in sg201.message
    assert "`--config` file that `parse_with_config(parser)` reads" in sg201.message


def test_argparse_default_is_certain_without_a_config_reader() -> None:
    for config, parse in (
        (", required=True", "parser.parse_args()"),  # argparse alone: the default holds
        ("", "parse_with_config(parser)"),  # an optional config, not given by default
        (", default=None", "parse_with_config(parser)"),
    ):
        source = CONFIG_PARSER.format(config=config, parse=parse)
        (sg201,) = _only(lint_source(source), "SG201")
        assert sg201.data["activity"] == "active", (config, parse)
        assert "gradient_accumulation_steps=16 from" in sg201.message


def test_argparse_default_stays_certain_when_the_parser_only_gets_more_options() -> None:
    source = CONFIG_PARSER.format(config=", required=True", parse="parser.parse_args()").replace(
        "        args = parser.parse_args()\n",
        "        add_model_args(parser)\n        args = parser.parse_args()\n",
    )
    assert "add_model_args(parser)" in textwrap.dedent(source)
    (sg201,) = _only(lint_source(source), "SG201")
    assert sg201.data["activity"] == "active"
