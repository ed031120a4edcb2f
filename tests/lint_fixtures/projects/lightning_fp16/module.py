"""The LightningModule: a per-step linear warmup returned from configure_optimizers."""

import lightning.pytorch as pl
import torch


class Captioner(pl.LightningModule):
    def __init__(self, net, lr, warmup):
        super().__init__()
        self.net = net
        self.lr = lr
        self.warmup = warmup

    def training_step(self, batch, batch_idx):
        return self.net(**batch).loss

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.lr)
        scheduler = {
            "scheduler": torch.optim.lr_scheduler.LinearLR(optimizer, 0.01, 1.0, self.warmup),
            "interval": "step",
            "name": "lr",
        }
        return [optimizer], [scheduler]
