import os
from dataclasses import dataclass, field

import pytorch_lightning as pl

from src.model.dpgnn import DPGNNModel


@dataclass
class TrainingArguments:
    max_epochs: int = field(default=10)
    train_batch_size: int = field(default=16)
    strategy: str = field(default="ddp")
    precision: str = field(default="32")


def main(model_args, trainer_args, train_dataloader, valid_dataloader):
    model = DPGNNModel(model_args)
    trainer = pl.Trainer(
        strategy=trainer_args.strategy,
        precision=trainer_args.precision,
        accelerator="gpu",
        devices=len(os.environ["CUDA_VISIBLE_DEVICES"].split(",")),
        max_epochs=trainer_args.max_epochs,
        max_steps=trainer_args.max_epochs * len(train_dataloader),
    )
    trainer.fit(model, train_dataloader, valid_dataloader)
