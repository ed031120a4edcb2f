"""The Hugging Face Trainer callback audits, monitors and logs; the group helper feeds the Trainer.

Tiny random-init BERT (hidden 32, one layer, no dropout) on 24 in-memory examples, CPU only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import transformers
from accelerate.state import AcceleratorState, GradientState
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    Trainer,
    TrainingArguments,
    get_linear_schedule_with_warmup,
)

import stepguard.integrations.transformers as sg_tf
from stepguard.findings import FindingsError
from stepguard.groups import param_groups
from stepguard.integrations.transformers import (
    StepGuardCallback,
    create_optimizer,
    install,
    optimizer_cls_and_kwargs,
)

N = 24


@pytest.fixture(autouse=True)
def fresh_accelerate_state() -> Iterator[None]:
    # Each Trainer builds an Accelerator; its state is process-global: leave none behind.
    yield
    AcceleratorState._reset_state(reset_partial_state=True)
    GradientState._reset_state()


class Examples(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    def __len__(self) -> int:
        return N

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        g = torch.Generator().manual_seed(i)
        return {"input_ids": torch.randint(0, 64, (8,), generator=g), "labels": torch.tensor(i % 2)}


def tiny_bert() -> BertForSequenceClassification:
    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=64,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
        num_labels=2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    return BertForSequenceClassification(cfg)


def training_args(tmp_path: Path, batch: int = 4, accum: int = 2, **kw: Any) -> TrainingArguments:
    options: dict[str, Any] = {
        "output_dir": str(tmp_path),
        "per_device_train_batch_size": batch,
        "gradient_accumulation_steps": accum,
        "num_train_epochs": 1,
        "logging_steps": 1,
        "report_to": [],
        "use_cpu": True,
        "save_steps": 2,  # the Trainer's default save_strategy="steps", checkpoints mid-run
        "disable_tqdm": True,
        "learning_rate": 1e-3,
        "weight_decay": 0.1,
        "max_grad_norm": 0.5,
    }
    options.update(kw)
    return TrainingArguments(**options)


def train_logs(trainer: Trainer) -> list[dict[str, float]]:
    return [h for h in trainer.state.log_history if "loss" in h]


def test_the_module_named_transformers_imports_the_real_package() -> None:
    assert sg_tf.TrainerCallback is transformers.TrainerCallback
    assert issubclass(StepGuardCallback, transformers.TrainerCallback)
    assert "site-packages" in str(sys.modules["transformers"].__file__)


def test_coupled_adam_on_all_parameters_is_reported_and_raised_before_any_step(
    tmp_path: Path,
) -> None:
    model = tiny_bert()
    before = model.classifier.weight.detach().clone()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)
    cb = StepGuardCallback(raise_on="error")
    trainer = Trainer(
        model=model,
        args=training_args(tmp_path),
        train_dataset=Examples(),
        callbacks=[cb],
        optimizers=(adam, None),
    )
    with pytest.raises(FindingsError) as info:
        trainer.train()
    assert cb.report is not None
    assert {"SG101", "SG102"} <= set(cb.report.codes)
    sg102 = cb.report.by_code("SG102")[0]
    assert "bert.embeddings.LayerNorm.weight" in sg102.message
    assert "SG101" in str(info.value)
    assert trainer.state.global_step == 0
    assert torch.equal(model.classifier.weight, before)  # raised before the first update
    assert cb.monitor is None


def test_stepguard_groups_are_clean_and_instruments_reach_the_trainer_logs(
    tmp_path: Path,
) -> None:
    model = tiny_bert()
    model.accepts_loss_kwargs = False  # the Trainer divides the loss by k (see issue 47688 test)
    args = training_args(tmp_path, report_to=["tensorboard"])
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Examples(),
        optimizers=(create_optimizer(model, args), None),
    )
    cb = install(trainer, raise_on="warning")  # ahead of the Trainer's TensorBoardCallback
    trainer.train()
    assert cb.report is not None and cb.monitor_report is not None
    assert cb.report.at_least("warning") == []
    # the audit used the Trainer's accumulation and its count of optimizer steps
    assert cb.report.summary["trainer_gradient_accumulation_steps"] == 2
    assert cb.report.summary["total_steps"] == trainer.state.max_steps == N // (4 * 2)
    assert cb.monitor_report.at_least("warning") == []
    logs = train_logs(trainer)
    assert len(logs) == 3
    for log in logs:
        # the Monitor saw the Trainer's own clip_grad_norm_ call: same pre-clip norm
        assert log["stepguard/grad_norm"] == pytest.approx(log["grad_norm"], rel=1e-6)
        assert log["stepguard/clipped"] == float(log["grad_norm"] > args.max_grad_norm)
        assert log["stepguard/clip_rate_window"] == log["stepguard/clipped"]
        assert log["stepguard/micro_batches"] == 2
        assert log["stepguard/lr_group0"] == pytest.approx(log["learning_rate"])
        assert 0.99 < log["stepguard/norm_weight_mean_abs"] <= 1.0
        assert 0.0 < log["stepguard/bias_mean_abs"] < 0.01
    clipped = [log["stepguard/clipped"] for log in logs]
    assert logs[-1]["stepguard/clip_rate"] == pytest.approx(sum(clipped) / 3)
    # ... and the Trainer's own TensorBoard reporter wrote them
    (events,) = tmp_path.glob("runs/*/events.out.tfevents.*")
    acc = EventAccumulator(str(events.parent))
    acc.Reload()
    written = [(e.step, e.value) for e in acc.Scalars("train/stepguard/grad_norm")]
    assert written == [(i + 1, pytest.approx(log["grad_norm"])) for i, log in enumerate(logs)]
    assert len(acc.Scalars("train/stepguard/norm_weight_mean_abs")) == 3


def step_one_grad_norm(tmp_path: Path, batch: int, accum: int, fix: bool) -> tuple[float, Any]:
    model = tiny_bert()
    if fix:
        model.accepts_loss_kwargs = False
    cb = StepGuardCallback()
    trainer = Trainer(
        model=model,
        args=training_args(tmp_path, batch=batch, accum=accum, max_steps=1),
        train_dataset=Examples(),
        callbacks=[cb],
    )
    trainer.train()
    return train_logs(trainer)[0]["grad_norm"], cb.monitor_report


def test_monitor_catches_the_trainers_inflated_accumulated_gradient_issue_47688(
    tmp_path: Path,
) -> None:
    # transformers 5.23: BertForSequenceClassification.forward takes **kwargs, so the Trainer
    # passes num_items_in_batch and skips its `/ k`, but the classification loss ignores it.
    big, _ = step_one_grad_norm(tmp_path, batch=8, accum=1, fix=False)
    bug, bug_report = step_one_grad_norm(tmp_path, batch=4, accum=2, fix=False)
    fixed, fixed_report = step_one_grad_norm(tmp_path, batch=4, accum=2, fix=True)
    assert bug / big == pytest.approx(2.0, rel=1e-5)
    assert fixed / big == pytest.approx(1.0, rel=1e-5)
    assert "SG201" in bug_report.codes
    assert "SG201" not in fixed_report.codes


def test_monitor_findings_raise_after_the_first_bad_step_and_detach(tmp_path: Path) -> None:
    backward = torch.autograd.backward
    cb = StepGuardCallback(raise_on="error")
    trainer = Trainer(
        model=tiny_bert(),
        args=training_args(tmp_path),
        train_dataset=Examples(),
        callbacks=[cb],
    )
    with pytest.raises(FindingsError, match="SG201"):
        trainer.train()
    assert trainer.state.global_step == 1
    assert torch.autograd.backward is backward  # the Monitor's patches are gone


def test_a_schedule_sized_in_micro_batches_is_sg205(tmp_path: Path) -> None:
    model = tiny_bert()
    model.accepts_loss_kwargs = False
    args = training_args(tmp_path, batch=4, accum=3)
    opt = create_optimizer(model, args)
    micro_batches = N // 4  # the bug: len(train_dataloader) * epochs
    sched = get_linear_schedule_with_warmup(opt, 0, num_training_steps=micro_batches)
    cb = StepGuardCallback(monitor=False)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Examples(),
        callbacks=[cb],
        optimizers=(opt, sched),
    )
    trainer.train()
    assert cb.report is not None
    sg205 = cb.report.by_code("SG205")
    assert len(sg205) == 1
    assert sg205[0].data == {"schedule_steps": 6, "total_steps": 2, "accum_steps": 3}
    # (the Trainer's own scheduler, sized in optimizer steps, is silent: see the clean run above)


def test_optimizer_cls_and_kwargs_gives_the_trainer_stepguard_groups(tmp_path: Path) -> None:
    model = tiny_bert()
    args = training_args(tmp_path, adam_beta2=0.95)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Examples(),
        optimizer_cls_and_kwargs=optimizer_cls_and_kwargs(model, args),
    )
    opt = trainer.create_optimizer()
    assert type(opt) is torch.optim.AdamW
    expected = param_groups(model, 0.1)
    got = [([id(p) for p in g["params"]], g["weight_decay"]) for g in opt.param_groups]
    assert got == [([id(p) for p in g["params"]], g["weight_decay"]) for g in expected]
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 1e-3]
    assert opt.param_groups[0]["betas"] == (0.9, 0.95)
    no_decay = {id(p) for p in opt.param_groups[1]["params"]}
    assert id(model.bert.embeddings.word_embeddings.weight) in no_decay
    assert id(model.bert.embeddings.LayerNorm.weight) in no_decay
    assert id(model.classifier.weight) not in no_decay


def test_helpers_need_args_or_explicit_hyperparameters() -> None:
    model = tiny_bert()
    with pytest.raises(TypeError, match="TrainingArguments"):
        optimizer_cls_and_kwargs(model)
    opt = create_optimizer(model, optimizer_cls=torch.optim.SGD, weight_decay=0.0, lr=0.1)
    assert type(opt) is torch.optim.SGD
    assert all(g["weight_decay"] == 0.0 for g in opt.param_groups)
