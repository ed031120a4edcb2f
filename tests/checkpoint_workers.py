"""Real checkpointing under the Monitor: train with each framework's checkpointing on, resume.

Each framework gets one function ``train_<name>(out, resume=None)`` that trains a tiny model with
the framework's own checkpointing on (defaults where the framework has them), with stepguard's
callback / Monitor attached and raising on any warning, saves a checkpoint mid-training, and
writes the final parameters to ``out / "final.pt"``. With `resume` (a checkpoint the first run
wrote) it continues from there instead. The tests run the first in-process and the resume in a
fresh process: ``python tests/checkpoint_workers.py <name> <out> <checkpoint>``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from stepguard.groups import param_groups


def save_params(model: nn.Module, out: Path) -> None:
    torch.save({n: p.detach().clone() for n, p in model.named_parameters()}, out / "final.pt")


# ---- Hugging Face Trainer -------------------------------------------------------------------

HF_STEPS = 6  # 24 examples, batch 4, k=2: 3 optimizer steps an epoch, 2 epochs


class Examples(Dataset[dict[str, torch.Tensor]]):
    def __len__(self) -> int:
        return 24

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        g = torch.Generator().manual_seed(i)
        return {"input_ids": torch.randint(0, 64, (8,), generator=g), "labels": torch.tensor(i % 2)}


def train_transformers(out: Path, resume: str | None = None) -> None:
    """The Trainer with its default ``save_strategy="steps"``, ``save_steps=2``: checkpoints at
    optimizer steps 2, 4, 6 (the resume starts from step 4, in the second epoch)."""
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    from stepguard.integrations.transformers import StepGuardCallback, create_optimizer

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=64,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
        num_labels=2,
    )
    model = BertForSequenceClassification(config)  # dropout on: the RNG state must resume too
    model.accepts_loss_kwargs = False  # the Trainer divides by k (transformers#47688)
    args = TrainingArguments(
        output_dir=str(out),
        per_device_train_batch_size=4,
        gradient_accumulation_steps=2,
        num_train_epochs=2,
        save_steps=2,
        logging_steps=1,
        learning_rate=1e-3,
        weight_decay=0.1,
        max_grad_norm=0.5,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    guard = StepGuardCallback(raise_on="warning")
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Examples(),
        callbacks=[guard],
        optimizers=(create_optimizer(model, args), None),
    )
    trainer.train(resume_from_checkpoint=resume)
    assert trainer.state.global_step == HF_STEPS
    assert guard.monitor_report is not None and guard.monitor_report.at_least("warning") == []
    save_params(model, out)


# ---- Lightning ------------------------------------------------------------------------------


def lightning_module() -> Any:
    import lightning.pytorch as pl

    class Tiny(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.net = nn.Sequential(
                nn.Linear(4, 8), nn.LayerNorm(8), nn.Dropout(0.1), nn.Linear(8, 1)
            )

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            x, y = batch
            return nn.functional.mse_loss(self.net(x), y)

        # Lightning's checkpoint holds no RNG state; the usual recipe keeps the global one, so
        # shuffling and dropout continue as in the uninterrupted run.
        def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
            checkpoint["torch_rng_state"] = torch.get_rng_state()

        def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
            torch.set_rng_state(checkpoint["torch_rng_state"])

        def configure_optimizers(self) -> Any:
            opt = torch.optim.AdamW(param_groups(self, weight_decay=0.01), lr=1e-2)
            steps = int(self.trainer.estimated_stepping_batches)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    return Tiny()


def train_lightning(out: Path, resume: str | None = None) -> None:
    """Lightning's defaults: its `ModelCheckpoint` saves at the end of every epoch (keeping the
    latest); a snapshot of the end-of-epoch-1 file is what the resume starts from."""
    import lightning.pytorch as pl

    from stepguard.integrations.lightning import StepGuardCallback

    class Snapshot(pl.Callback):  # the default ModelCheckpoint keeps only its latest file
        def on_train_epoch_start(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
            if trainer.current_epoch == 1 and resume is None:
                (saved,) = (out / "checkpoints").glob("epoch=0-*.ckpt")
                shutil.copy(saved, out / "mid.ckpt")

    g = torch.Generator().manual_seed(0)
    data = TensorDataset(torch.randn(32, 4, generator=g), torch.randn(32, 1, generator=g))
    guard = StepGuardCallback(raise_on="warning")
    trainer = pl.Trainer(
        max_epochs=3,
        accumulate_grad_batches=2,
        default_root_dir=str(out),
        logger=False,
        callbacks=[guard, Snapshot()],
        accelerator="cpu",
        enable_progress_bar=False,
        enable_model_summary=False,
        deterministic=True,
    )
    module = lightning_module()
    pl.seed_everything(0, verbose=False)
    trainer.fit(module, DataLoader(data, batch_size=4, shuffle=True), ckpt_path=resume)
    assert trainer.global_step == 12  # 8 batches an epoch, k=2, 3 epochs
    assert guard.monitor_report is not None and guard.monitor_report.at_least("warning") == []
    save_params(module, out)


# ---- Accelerate -----------------------------------------------------------------------------

ACC_BATCHES = 12  # an epoch: 12 micro-batches of 4, k=2: 6 optimizer steps
ACC_SAVE_AT = 4  # optimizer step of the mid-training save_state (epoch 0, after 8 batches)


def warmup(step: int) -> float:  # module level: picklable
    return min(1.0, (step + 1) / 3) * 0.5 ** (step // 4)


def train_accelerate(out: Path, resume: str | None = None) -> None:
    """A hand-written `accelerator.accumulate` loop under `stepguard.integrations.accelerate.monitor`,
    `accelerator.save_state` after optimizer step 4; the resume calls `load_state` and skips the
    micro-batches already seen (`skip_first_batches`)."""
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    from stepguard.integrations.accelerate import monitor

    accelerator = Accelerator(cpu=True, gradient_accumulation_steps=2)
    set_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.Dropout(0.1), nn.Linear(8, 1))
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.01), lr=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup)
    g = torch.Generator().manual_seed(0)
    data = TensorDataset(
        torch.randn(4 * ACC_BATCHES, 6, generator=g), torch.randn(4 * ACC_BATCHES, 1, generator=g)
    )
    loader = DataLoader(
        data, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(1)
    )
    pm, po, ps, pdl = accelerator.prepare(model, opt, sched, loader)
    steps = 0
    if resume is not None:
        accelerator.load_state(resume)
        steps = ACC_SAVE_AT
    with monitor(accelerator, pm, po, ps) as mon:
        for epoch in range(2):
            batches = pdl
            if epoch == 0 and resume is not None:
                batches = accelerator.skip_first_batches(pdl, 2 * ACC_SAVE_AT)
            for x, y in batches:
                with accelerator.accumulate(pm):
                    accelerator.backward(nn.functional.mse_loss(pm(x), y))
                    po.step()
                    ps.step()
                    po.zero_grad()
                if accelerator.sync_gradients:
                    steps += 1
                    if steps == ACC_SAVE_AT and resume is None:
                        accelerator.save_state(str(out / "mid"))
    assert steps == 2 * ACC_BATCHES // 2
    assert mon.report().at_least("warning") == []
    assert sched.last_epoch == steps
    save_params(accelerator.unwrap_model(pm), out)


TRAIN = {
    "transformers": train_transformers,
    "lightning": train_lightning,
    "accelerate": train_accelerate,
}


if __name__ == "__main__":
    name, out, checkpoint = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(1)
    TRAIN[name](out, resume=checkpoint)
