"""Donut fine-tuning entry point: a YAML config drives the Lightning Trainer."""

import argparse

import pytorch_lightning as pl
import torch
from sconf import Config

from lightning_module import DonutDataPLModule, DonutModelPLModule


def train(config):
    model_module = DonutModelPLModule(config)
    data_module = DonutDataPLModule(config)
    trainer = pl.Trainer(
        num_nodes=config.get("num_nodes", 1),
        gpus=torch.cuda.device_count(),
        strategy="ddp",
        accelerator="gpu",
        max_epochs=config.max_epochs,
        max_steps=config.max_steps,
        val_check_interval=config.val_check_interval,
        check_val_every_n_epoch=config.check_val_every_n_epoch,
        gradient_clip_val=config.gradient_clip_val,
        precision=16,
        num_sanity_val_steps=0,
    )
    trainer.fit(model_module, data_module)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    args, left_argv = parser.parse_known_args()
    config = Config(args.config)
    config.argv_update(left_argv)
    train(config)
