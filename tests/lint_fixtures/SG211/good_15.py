# A LightningModule returns its warmup-cosine schedule with "interval": "step" and the Trainer runs
# in full precision (its default): no GradScaler, no skipped step.
import math

import lightning.pytorch as pl
import torch


class Module(pl.LightningModule):
    def __init__(self, net, lr, warmup, total):
        super().__init__()
        self.net = net
        self.lr, self.warmup, self.total = lr, warmup, total

    def training_step(self, batch, batch_idx):
        return self.net(batch).mean()

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.lr)

        def lr_lambda(step):
            if step < self.warmup:
                return step / max(1, self.warmup)
            return 0.5 * (1.0 + math.cos(math.pi * step / self.total))

        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": schedule, "interval": "step"},
        }


def main(net, data):
    trainer = pl.Trainer(max_steps=10_000, accelerator="gpu")
    trainer.fit(Module(net, 1e-4, 500, 10_000), data)
