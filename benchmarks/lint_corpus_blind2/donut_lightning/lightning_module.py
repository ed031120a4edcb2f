"""Donut (OCR-free document understanding) LightningModule: Adam + warmup-cosine per step."""

import math

import pytorch_lightning as pl
import torch
from torch.optim.lr_scheduler import LambdaLR

from donut import DonutModel


class DonutModelPLModule(pl.LightningModule):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = DonutModel.from_pretrained(
            config.pretrained_model_name_or_path, input_size=config.input_size, max_length=config.max_length
        )

    def training_step(self, batch, batch_idx):
        image_tensors = torch.cat([b[0] for b in batch])
        decoder_input_ids = torch.cat([b[1][:, :-1] for b in batch])
        decoder_labels = torch.cat([b[2][:, 1:] for b in batch])
        loss = self.model(image_tensors, decoder_input_ids, decoder_labels)[0]
        self.log_dict({"train_loss": loss}, sync_dist=True)
        return loss

    def configure_optimizers(self):
        max_iter = None
        if int(self.config.get("max_epochs", -1)) > 0:
            # optimizer steps: samples per epoch over the global batch
            max_iter = (self.config.max_epochs * self.config.num_training_samples_per_epoch) / (
                self.config.train_batch_sizes[0] * torch.cuda.device_count() * self.config.get("num_nodes", 1)
            )
        if int(self.config.get("max_steps", -1)) > 0:
            max_iter = min(self.config.max_steps, max_iter) if max_iter is not None else self.config.max_steps

        optimizer = torch.optim.Adam(self.parameters(), lr=self.config.lr)
        scheduler = {
            "scheduler": self.cosine_scheduler(optimizer, max_iter, self.config.warmup_steps),
            "name": "learning_rate",
            "interval": "step",
        }
        return [optimizer], [scheduler]

    @staticmethod
    def cosine_scheduler(optimizer, training_steps, warmup_steps):
        def lr_lambda(current_step):
            if current_step < warmup_steps:
                return current_step / max(1, warmup_steps)
            progress = (current_step - warmup_steps) / max(1, training_steps - warmup_steps)
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

        return LambdaLR(optimizer, lr_lambda)
