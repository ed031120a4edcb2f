import argparse

import pytorch_lightning as pl
import torch
import transformers
from torch.cuda.amp import autocast

from bonz_model import BonzConfig, BonzModelGAN


class BonzLM_PL(pl.LightningModule):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = BonzModelGAN(gen_config=BonzConfig(num_layer=4, num_head=4, emb_dim=256), dis_config=BonzConfig(**config))

    def training_step(self, batch, batch_idx, optimizer_idx):
        with autocast():
            outs = self.model(**batch)
            gen_loss = outs["gen_loss"]
            dis_loss = outs["dis_loss"]
        (gen_opt, dis_opt) = self.optimizers()
        self.manual_backward(gen_loss, gen_opt)
        gen_opt.step()
        self.manual_backward(dis_loss, dis_opt)
        dis_opt.step()

    def configure_optimizers(self):
        gen_optimizer = torch.optim.AdamW(self.model.generator.parameters(), lr=self.config["lr"], weight_decay=0.001)
        dis_optimizer = torch.optim.AdamW(self.model.discriminator.parameters(), lr=self.config["lr"], weight_decay=0.001)
        gen_lr_scheduler = {
            "scheduler": transformers.get_linear_schedule_with_warmup(gen_optimizer, 0.04 * self.config["training_step"], self.config["training_step"]),
            "interval": "step",
            "frequency": 1,
        }
        dis_lr_scheduler = {
            "scheduler": transformers.get_linear_schedule_with_warmup(dis_optimizer, 0.04 * self.config["training_step"], self.config["training_step"]),
            "interval": "step",
            "frequency": 1,
        }
        return [gen_optimizer, dis_optimizer], [gen_lr_scheduler, dis_lr_scheduler]


def get_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", default=1e-4, type=float)
    parser.add_argument("--training_step", default=100000, type=int)
    parser.add_argument("--batch_size", default=57, type=int)
    return parser.parse_args()


if __name__ == "__main__":
    args = get_args()
    model = BonzLM_PL(vars(args))
    trainer = pl.Trainer(
        gradient_clip_val=1,
        accumulate_grad_batches=3,
        automatic_optimization=False,
        accelerator="ddp",
        amp_level="native",
        precision=16,
        gpus=-1,
        max_steps=args.training_step,
    )
    trainer.fit(model, BonzDataModule(args))
