"""Round-7 window / AMP / DDP shapes of `stepguard lint` (issue 13), each bad and good.

- SG211: a skip flag bound to a scale comparison (``update_lr = scale_prev <= scaler.get_scale()``)
  guards the scheduler; a string compared in a test (``optimizer_name == "ScaledAdam"``) is no skip
  check; a scheduler's bound ``step`` handed to a helper (``ifexists_call(sched, sched.step)``) and
  ``new_lr = scheduler.step()`` step the scheduler;
- SG201: a loss method of the trained model whose class is outside the file (``model.loss(scores,
  y)``, ``model.module.get_logits_loss(data, y)``) is taken as the micro-batch's mean, and the
  message says so.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from stepguard.lint import lint_paths
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


# -- SG211: a skip flag bound to the scale comparison ---------------------------------------------

FLAGGED = """
    import torch


    class Runner:
        def __init__(self, model, optimizer, scheduler):
            self.model = model
            self.optimizer = optimizer
            self.scheduler = scheduler
            self.scaler = torch.cuda.amp.GradScaler()

        def optimize(self, loss, step_optimizer=True):
            update_lr = True
            self.scaler.scale(loss).backward()
            if step_optimizer:
                scale_prev = self.scaler.get_scale()
                self.scaler.step(self.optimizer)
                self.scaler.update()
                {flag}
            if self.scheduler is not None and update_lr and step_optimizer:
                self.scheduler.step()
            if step_optimizer:
                self.optimizer.zero_grad()
"""


def test_sg211_silent_when_the_scheduler_waits_for_a_flag_bound_to_the_scale() -> None:
    good = FLAGGED.format(flag="update_lr = scale_prev <= self.scaler.get_scale()")
    assert _only(lint_source(good), "SG211") == []
    # The same flag written the other way round, as a skip flag.
    skipped = good.replace(
        "update_lr = scale_prev <= self.scaler.get_scale()",
        "update_lr = not (self.scaler.get_scale() < scale_prev)",
    )
    assert _only(lint_source(skipped), "SG211") == []


def test_sg211_fires_when_the_flag_never_reads_the_scale() -> None:
    # A flag bound to something else (here: a logging switch) checks nothing.
    bad = FLAGGED.format(flag="update_lr = self.model.training")
    (sg211,) = _only(lint_source(bad), "SG211")
    assert sg211.line == _line(bad, "self.scheduler.step()")
    # A name that merely contains "inf" (`info_dict`) is no finiteness check either.
    info = FLAGGED.format(flag="update_lr = info_dict.get('lr', True)")
    assert len(_only(lint_source(info), "SG211")) == 1


# -- SG211: a string in the test is no skip check -------------------------------------------------

BRANCHED = """
    import torch


    def train(model, loader, optimizer, scheduler, args):
        scaler = torch.cuda.amp.GradScaler()
        for batch in loader:
            with torch.cuda.amp.autocast():
                loss = model(batch)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            if {test}:
                scheduler.step_batch(batch)
            else:
                scheduler.step()
"""


def test_sg211_fires_when_a_branch_compares_a_name_with_a_string() -> None:
    bad = BRANCHED.format(test='args.optimizer_name == "ScaledAdam"')
    (sg211,) = _only(lint_source(bad), "SG211")
    assert sg211.line == _line(bad, "scheduler.step()")
    assert "runs even when `scaler.step(optimizer)`" in sg211.message


def test_sg211_silent_when_the_branch_tests_whether_the_step_ran() -> None:
    good = BRANCHED.format(test="scaler.get_scale() < 65536.0")
    assert _only(lint_source(good), "SG211") == []


# -- SG211: the scheduler stepped through a helper, or with its rate bound -------------------------

HANDED = """
    import argparse

    import torch
    from tools import exists, ifexists_call


    def train_one_epoch(model, optim, schedular, loader, scaler=None):
        for i, batch in enumerate(loader):
            loss = model(batch)
            scaler.scale(loss).backward() if exists(scaler) else loss.backward()
            scaler.step(optim) if exists(scaler) else optim.step()
            ifexists_call(scaler, scaler.update)
            optim.zero_grad()
            {sched_step}


    def main(args, model, loader):
        optim = torch.optim.AdamW(model.parameters(), lr=1e-3)
        schedular = torch.optim.lr_scheduler.CyclicLR(optim, base_lr=1e-5, max_lr=1e-3)
        scaler = torch.cuda.amp.GradScaler() if args.mixed_precision else None
        train_one_epoch(model, optim, schedular, loader, scaler)


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--mixed_precision", action="store_true")
        main(parser.parse_args(), None, None)
"""


def test_sg211_fires_on_a_scheduler_step_handed_to_a_helper() -> None:
    bad = HANDED.format(sched_step="ifexists_call(schedular, schedular.step)")
    (sg211,) = _only(lint_source(bad), "SG211")
    assert sg211.line == _line(bad, "ifexists_call(schedular, schedular.step)")
    assert sg211.data["activity"] == "latent"  # the scaler exists only with --mixed_precision
    assert "mixed_precision" in sg211.message


def test_sg211_silent_when_the_helper_is_handed_something_else() -> None:
    # The EMA's update handed to the same helper steps no scheduler.
    good = HANDED.format(sched_step="ifexists_call(model, model.eval)")
    assert _only(lint_source(good), "SG211") == []


BOUND_RATE = """
    import torch


    def train(encoder, loader, optimizer, scheduler, wd_scheduler, use_bfloat16=True):
        scaler = torch.cuda.amp.GradScaler() if use_bfloat16 else None
        for itr, imgs in enumerate(loader):

            def train_step():
                {before}
                with torch.cuda.amp.autocast(dtype=torch.bfloat16):
                    loss = encoder(imgs).mean()
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
                {after}
                return float(loss)

            train_step()
"""


def test_sg211_fires_on_schedulers_whose_rate_is_bound_before_the_scaler_step() -> None:
    bad = BOUND_RATE.format(
        before="_new_lr = scheduler.step()\n                _new_wd = wd_scheduler.step()",
        after="pass",
    )
    found = _only(lint_source(bad), "SG211")
    assert sorted(f.line for f in found) == [
        _line(bad, "_new_lr = scheduler.step()"),
        _line(bad, "_new_wd = wd_scheduler.step()"),
    ]
    assert all("runs before, and advances even when" in f.message for f in found)


def test_sg211_silent_when_the_rate_is_bound_only_after_a_check() -> None:
    good = BOUND_RATE.format(
        before="scale_prev = scaler.get_scale()",
        after=(
            "if scaler.get_scale() >= scale_prev:\n                    _new_lr = scheduler.step()"
        ),
    )
    assert _only(lint_source(good), "SG211") == []


# -- SG201: a loss method of the trained model, class outside the file -----------------------------

MODEL_LOSS = """
    import torch


    def train_epoch_dense(model, optimizer, loader, batch_size):
        model.train()
        optimizer.zero_grad()
        for it, (x, targets) in enumerate(loader):
            scores = model.forward(x)
            {loss_line}
            loss.backward()
            if not (it % batch_size):
                optimizer.step()
                optimizer.zero_grad()
"""


def test_sg201_fires_on_a_model_loss_method_and_says_what_it_assumes() -> None:
    bad = MODEL_LOSS.format(loss_line="loss = model.loss(scores, targets)")
    (sg201,) = _only(lint_source(bad), "SG201")
    assert sg201.line == _line(bad, "loss.backward()")
    assert "assuming `model.loss`, a method of a model class outside the linted files" in (
        sg201.message
    )
    assert "loss / batch_size" in sg201.message


def test_sg201_fires_on_a_tuple_from_the_model_or_its_wrapped_module() -> None:
    bad = MODEL_LOSS.format(
        loss_line=(
            "logits, loss = model.get_logits_loss(x, targets) if not hasattr(model, 'module') "
            "else model.module.get_logits_loss(x, targets)"
        )
    )
    (sg201,) = _only(lint_source(bad), "SG201")
    assert "model.get_logits_loss" in sg201.message


def test_sg201_silent_when_the_model_loss_is_divided_or_may_know_k() -> None:
    divided = MODEL_LOSS.format(loss_line="loss = model.loss(scores, targets) / batch_size")
    assert _only(lint_source(divided), "SG201") == []
    # An argument that could hand the method the window length: not assumed.
    handed = MODEL_LOSS.format(loss_line="loss = model.loss(scores, targets, batch_size)")
    assert _only(lint_source(handed), "SG201") == []
    # A method the file defines is followed, not assumed (here it divides).
    defined = textwrap.dedent(MODEL_LOSS.format(loss_line="loss = model.loss(scores, targets)")) + (
        "\n\ndef loss(scores, targets):\n    return torch.nn.functional.l1_loss(scores, targets) / 4\n"
    )
    assert _only(lint_source(defined), "SG201") == []


# -- SG205: samples over a batch size written as a config key or a `*_bs` name ---------------------

KEYED = """
    import torch
    from transformers import get_cosine_schedule_with_warmup

    CFG = {{"batch_size": 8, "epochs": 3, "gradient_accumulation_steps": 4}}


    def train_loop(model, train_folds, loader):
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        num_train_steps = {length}
        scheduler = get_cosine_schedule_with_warmup(optimizer, 0, num_train_steps)
        for epoch in range(CFG["epochs"]):
            for step, (x, y) in enumerate(loader):
                loss = torch.nn.functional.mse_loss(model(x), y) / CFG["gradient_accumulation_steps"]
                loss.backward()
                if (step + 1) % CFG["gradient_accumulation_steps"] == 0:
                    optimizer.step()
                    optimizer.zero_grad()
                    scheduler.step()
"""


def test_sg205_fires_on_samples_over_a_batch_size_key() -> None:
    bad = KEYED.format(length='int(len(train_folds) / CFG["batch_size"] * CFG["epochs"])')
    (sg205,) = _only(lint_source(bad), "SG205")
    assert sg205.line == _line(bad, "num_train_steps = int(")
    assert "counts micro-batches" in sg205.message
    assert sg205.data["activity"] == "active"  # k = 4 in the dict literal


def test_sg205_silent_when_the_key_is_divided_by_k_or_is_a_total_batch() -> None:
    per_step = 'int(len(train_folds) / CFG["batch_size"] / CFG["gradient_accumulation_steps"] * 3)'
    assert _only(lint_source(KEYED.format(length=per_step)), "SG205") == []
    total = 'int(len(train_folds) / CFG["total_batch_size"] * CFG["epochs"])'
    assert _only(lint_source(KEYED.format(length=total)), "SG205") == []


BS_NAME = """
    import torch


    def run(model, loader, train_bs=16, epochs=15):
        n_accumulate = max(1, 32 // train_bs)
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={t_max})
        for step, (x, y) in enumerate(loader):
            loss = torch.nn.functional.mse_loss(model(x), y) / n_accumulate
            loss.backward()
            if (step + 1) % n_accumulate == 0:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()
"""


def test_sg205_fires_on_a_count_over_a_bs_name() -> None:
    bad = BS_NAME.format(t_max="int(30000 / train_bs * epochs) + 50")
    (sg205,) = _only(lint_source(bad), "SG205")
    assert "30000 / train_bs" in sg205.message


def test_sg205_silent_on_a_bs_name_divided_by_the_window() -> None:
    good = BS_NAME.format(t_max="int(30000 / (train_bs * n_accumulate) * epochs) + 50")
    assert _only(lint_source(good), "SG205") == []
    # A name that only contains the letters (`abs_steps`) is no batch size.
    other = BS_NAME.format(t_max="int(30000 / abs_steps * epochs)")
    assert _only(lint_source(other), "SG205") == []


# -- SG205: a scheduler factory outside the tree, given the length by keyword ----------------------

FACTORY = """
    import torch
    from medal.model import fetch_scheduler


    def train_fn(cfg, loader, model, optimizer, scheduler):
        for step, (x, y) in enumerate(loader):
            loss = torch.nn.functional.mse_loss(model(x), y) / cfg.grad_accum
            loss.backward()
            if (step + 1) % cfg.grad_accum == 0:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()


    def main(cfg, loader, model, train_fold_len):
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        num_train_steps = {length}
        scheduler = fetch_scheduler(optimizer, cfg, num_train_steps=num_train_steps)
        train_fn(cfg, loader, model, optimizer, scheduler)
"""


def test_sg205_fires_on_a_length_handed_to_an_outside_factory() -> None:
    bad = FACTORY.format(length="int(train_fold_len / cfg.batch_size * cfg.epochs)")
    (sg205,) = _only(lint_source(bad), "SG205")
    assert sg205.line == _line(bad, "num_train_steps = int(")
    assert "`num_train_steps=num_train_steps`" in sg205.message


def test_sg205_silent_when_the_factory_length_counts_optimizer_steps() -> None:
    good = FACTORY.format(
        length="int(train_fold_len / cfg.batch_size / cfg.grad_accum * cfg.epochs)"
    )
    assert _only(lint_source(good), "SG205") == []


# -- SG205: a prepared scheduler stepped with the optimizer or not ---------------------------------

PREPARED = """
    import torch
    from accelerate import Accelerator
    from transformers import get_scheduler


    def main(args, model, loader):
        accelerator = Accelerator(gradient_accumulation_steps=4{flag})
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        lr_scheduler = get_scheduler(
            "linear", optimizer=optimizer, num_warmup_steps=0,
            num_training_steps=args.max_train_steps * 4,
        )
        model, optimizer, loader, lr_scheduler = accelerator.prepare(model, optimizer, loader, lr_scheduler)
        for batch in loader:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()
"""


def test_sg205_fires_on_a_length_times_k_for_a_prepared_scheduler() -> None:
    bad = PREPARED.format(flag="")
    (sg205,) = _only(lint_source(bad), "SG205")
    assert "multiplies by the window length" in sg205.message


def test_sg205_silent_when_the_scheduler_is_not_stepped_with_the_optimizer() -> None:
    good = PREPARED.format(flag=", step_scheduler_with_optimizer=False")
    assert _only(lint_source(good), "SG205") == []


# -- SG201: a loss divided inside the file's model forward -----------------------------------------

FORWARD = """
    import torch
    import torch.nn as nn


    class GCF:
        ACCUMULATE = 4


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 1)

        def forward(self, x, target):
            h = self.fc(x).squeeze(-1)
            loss = nn.BCEWithLogitsLoss()(h, target)
            {scale}
            return loss, h


    def train_loop(model, loader, optimizer):
        for step, (x, y) in enumerate(loader):
            loss, _ = model(x, y)
            loss.backward()
            if step % GCF.ACCUMULATE == 0:
                optimizer.step()
                optimizer.zero_grad()
"""


def test_sg201_silent_when_the_model_forward_divides_the_loss() -> None:
    good = FORWARD.format(scale="loss = loss / GCF.ACCUMULATE")
    assert _only(lint_source(good), "SG201") == []


def test_sg201_fires_when_the_model_forward_returns_a_plain_mean() -> None:
    bad = FORWARD.format(scale="pass")
    (sg201,) = _only(lint_source(bad), "SG201")
    assert sg201.line == _line(bad, "loss.backward()")
    # A token mean in the forward is still the micro-batch's mean.
    token_mean = FORWARD.format(
        scale=(
            "mask = (target != -1).float()\n"
            "            per_token = nn.functional.binary_cross_entropy_with_logits(h, target, "
            "reduction='none') * mask\n"
            "            loss = torch.sum(per_token) / torch.sum(mask)"
        )
    )
    assert len(_only(lint_source(token_mean), "SG201")) == 1


# -- Activity: a config dict stored on `self` in `__init__` -----------------------------------------

STORED = """
    import torch


    class Trainer:
        def __init__(self, model, optimizer, criterion, train_params):
            self.model = model
            self.optimizer = optimizer
            self.criterion = criterion
            self.train_params = train_params

        def train(self, loader):
            aggregation = self.train_params["aggregation"]
            for i, (x, y) in enumerate(loader):
                loss = self.criterion(self.model(x), y)
                loss.backward()
                if (i + 1) % aggregation == 0:
                    self.optimizer.step()
                    self.optimizer.zero_grad()


    def training(model, optimizer, train_params):
        criterion = torch.nn.CrossEntropyLoss()
        Trainer(model, optimizer, criterion, train_params).train(None)


    if __name__ == "__main__":
        train_params = {{"epochs": 100, "aggregation": {k}}}
        training(None, None, train_params)
"""


def test_activity_reads_a_dict_stored_on_self_from_its_callers() -> None:
    (sg201,) = _only(lint_source(STORED.format(k=4)), "SG201")
    assert sg201.data["activity"] == "active"
    assert "aggregation=4" in sg201.message
    (one,) = _only(lint_source(STORED.format(k=1)), "SG201")
    assert one.data["activity"] == "latent"


def test_activity_stays_unresolved_when_the_attribute_is_rebound() -> None:
    rebound = STORED.format(k=4).replace(
        "        def train(self, loader):\n",
        "        def reset(self, params):\n            self.train_params = params\n\n"
        "        def train(self, loader):\n",
    )
    (sg201,) = _only(lint_source(rebound), "SG201")
    assert sg201.data["activity"] == "latent"
    assert "not resolved" in sg201.message


# -- SG201: a micro-batch's own token count, and a sum the other branch divides by it --------------

SLICED = """
    import torch


    def train(model, loader, optimizer, scheduler, scaler, args):
        for batch in loader:
            all_inds = list(range(len(batch["y"])))
            for j in range(args.gradient_accumulation_steps):
                cur = {{key: batch[key][all_inds[j :: args.gradient_accumulation_steps]] for key in batch}}
                out = model(cur)
                if args.optimizer_name == "ScaledAdam":
                    scaler.scale(out["loss"]).backward()
                else:
                    scaler.scale({adam_loss}).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
"""


def test_sg201_fires_on_a_mean_over_the_micro_batch_token_count() -> None:
    bad = SLICED.format(adam_loss='out["loss"] / out["effective_ntoken"]')
    (sg201,) = _only(lint_source(bad), "SG201")
    # Only the branch that takes a mean per slice; the other backpropagates a token sum.
    assert sg201.line == _line(bad, 'scaler.scale(out["loss"] / out["effective_ntoken"])')
    assert "/ args.gradient_accumulation_steps" in sg201.message


def test_sg201_silent_on_a_count_over_the_window() -> None:
    # Both branches divided by the window's token count (of the batch the slices come from, not
    # of a slice): the window's mean.
    good = SLICED.format(adam_loss='out["loss"] / batch["window_ntoken"]').replace(
        'scaler.scale(out["loss"]).backward()',
        'scaler.scale(out["loss"] / batch["window_ntoken"]).backward()',
    )
    assert _only(lint_source(good), "SG201") == []


# -- SG205: a prepared scheduler handed to a trainer class in another file -------------------------

SETUP = """
    import torch
    from accelerate import Accelerator
    from transformers import get_scheduler

    from trainer import Trainer


    def main(args, model, loader):
        accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        lr_scheduler = get_scheduler(
            "cosine", optimizer=optimizer, num_warmup_steps=0,
            num_training_steps={length},
        )
        optimizer, loader, lr_scheduler = accelerator.prepare(optimizer, loader, lr_scheduler)
        Trainer(accelerator, model, loader, optimizer, lr_scheduler).train()
"""

TRAINER = """
    class Trainer:
        def __init__(self, accelerator, model, loader, optimizer, lr_scheduler):
            self.accelerator = accelerator
            self.model = model
            self.loader = loader
            self.optimizer = optimizer
            self.lr_scheduler = lr_scheduler

        def train(self):
            for batch in self.loader:
                with self.accelerator.{context}(self.model):
                    loss = self.model(**batch).loss
                    self.accelerator.backward(loss)
                    self.optimizer.step()
                    self.lr_scheduler.step()
                    self.optimizer.zero_grad()
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_sg205_fires_on_a_prepared_scheduler_a_trainer_in_another_file_steps(
    tmp_path: Path,
) -> None:
    root = _write(
        tmp_path,
        {
            "train.py": SETUP.format(
                length="args.max_train_steps * args.gradient_accumulation_steps"
            ),
            "trainer.py": TRAINER.format(context="accumulate"),
        },
    )
    (sg205,) = [f for f in lint_paths([root]).findings if f.code == "SG205"]
    assert sg205.path.endswith("train.py")
    assert "multiplies by the window length" in sg205.message


def test_sg205_silent_when_the_other_file_does_not_accumulate(tmp_path: Path) -> None:
    times_k = SETUP.format(length="args.max_train_steps * args.gradient_accumulation_steps")
    plain = _write(
        tmp_path / "plain",
        {"train.py": times_k, "trainer.py": TRAINER.format(context="autocast")},
    )
    assert [f for f in lint_paths([plain]).findings if f.code == "SG205"] == []
    counted = _write(
        tmp_path / "counted",
        {
            "train.py": SETUP.format(length="args.max_train_steps"),
            "trainer.py": TRAINER.format(context="accumulate"),
        },
    )
    assert [f for f in lint_paths([counted]).findings if f.code == "SG205"] == []


# -- SG202 / SG210: steps outside a window guard that clips ----------------------------------------

GATE = """
    import torch
    from transformers import get_linear_schedule_with_warmup

    gradient_accumulation_steps = 4


    def train(model, loader, args):
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.3)
        scheduler = get_linear_schedule_with_warmup(optimizer, 500, {length})
        actual_step = glb_step = 0
        for step, inputs in enumerate(loader):
            loss = model(inputs)
            loss.backward()
            actual_step += 1
            if actual_step % gradient_accumulation_steps == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                glb_step += 1
                {inside}
            {outside}
"""

OUTSIDE = "optimizer.step()\n            optimizer.zero_grad()\n            scheduler.step()"
INSIDE = "optimizer.step()\n                optimizer.zero_grad()\n                scheduler.step()"


def test_sg210_sg202_fire_on_steps_outside_a_clipping_guard() -> None:
    bad = GATE.format(length="args.max_steps", inside="pass", outside=OUTSIDE)
    found = lint_source(bad)
    (sg210,) = _only(found, "SG210")
    (sg202,) = _only(found, "SG202")
    assert sg210.line == _line(bad, "optimizer.zero_grad()")
    assert sg202.line == _line(bad, "scheduler.step()")
    assert "clips once per window" in sg210.message
    assert sg210.data["activity"] == "active"  # the module sets k = 4


def test_sg210_sg202_silent_when_the_guard_steps_or_does_not_clip() -> None:
    good = GATE.format(length="args.max_steps", inside=INSIDE, outside="pass")
    found = lint_source(good)
    assert _only(found, "SG210") == [] and _only(found, "SG202") == []
    # A guard that only logs says nothing about accumulation: a plain per-batch loop.
    logging = GATE.format(length="args.max_steps", inside="pass", outside=OUTSIDE).replace(
        "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)", "print(loss.item())"
    )
    found = lint_source(logging)
    assert _only(found, "SG210") == [] and _only(found, "SG202") == []
    # A schedule counted in micro-batches is consistent with a step per micro-batch.
    counted = GATE.format(length="len(loader) * 3", inside="pass", outside=OUTSIDE)
    assert _only(lint_source(counted), "SG202") == []


def test_sg210_gate_is_latent_under_a_setting_that_guards_the_step() -> None:
    guarded = GATE.format(
        length="args.max_steps",
        inside="pass",
        outside=(
            "if args.tune_plm:\n                optimizer.step()\n"
            "                optimizer.zero_grad()"
        ),
    )
    (sg210,) = _only(lint_source(guarded), "SG210")
    assert sg210.data["activity"] == "latent"
    assert "tune_plm" in sg210.message
