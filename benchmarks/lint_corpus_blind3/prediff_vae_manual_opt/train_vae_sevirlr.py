import lightning.pytorch as pl
import numpy as np
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, SequentialLR

from prediff.taming import AutoencoderKL, LPIPSWithDiscriminator
from prediff.utils.optim import warmup_lambda


class VAESEVIRPLModule(pl.LightningModule):
    def __init__(self, total_num_steps, accumulate_grad_batches=1, oc=None):
        super().__init__()
        self.torch_nn_module = AutoencoderKL()
        self.loss = LPIPSWithDiscriminator(disc_start=50001)
        self.total_num_steps = total_num_steps
        self.oc = oc
        self.automatic_optimization = False
        self.accumulate_grad_batches = accumulate_grad_batches

    def configure_optimizers(self):
        optim_cfg = self.oc.optim
        lr, betas = optim_cfg.lr, optim_cfg.betas
        opt_ae = torch.optim.Adam(
            list(self.torch_nn_module.encoder.parameters()) + list(self.torch_nn_module.decoder.parameters()),
            lr=lr,
            betas=betas,
        )
        opt_disc = torch.optim.Adam(self.loss.discriminator.parameters(), lr=lr, betas=betas)
        warmup_iter = int(np.round(optim_cfg.warmup_percentage * self.total_num_steps))
        sched_ae = SequentialLR(
            opt_ae,
            schedulers=[LambdaLR(opt_ae, lr_lambda=warmup_lambda(warmup_steps=warmup_iter)),
                        CosineAnnealingLR(opt_ae, T_max=(self.total_num_steps - warmup_iter))],
            milestones=[warmup_iter],
        )
        sched_disc = SequentialLR(
            opt_disc,
            schedulers=[LambdaLR(opt_disc, lr_lambda=warmup_lambda(warmup_steps=warmup_iter)),
                        CosineAnnealingLR(opt_disc, T_max=(self.total_num_steps - warmup_iter))],
            milestones=[warmup_iter],
        )
        return [
            {"optimizer": opt_ae, "lr_scheduler": {"scheduler": sched_ae, "interval": "step"}},
            {"optimizer": opt_disc, "lr_scheduler": {"scheduler": sched_disc, "interval": "step"}},
        ]

    @classmethod
    def get_total_num_steps(cls, num_samples, total_batch_size, epoch):
        return int(epoch * num_samples / total_batch_size)

    def training_step(self, batch, batch_idx):
        g_opt, d_opt = self.optimizers()
        g_sch, d_sch = self.lr_schedulers()
        pred, posterior = self.torch_nn_module(batch)

        aeloss, log_ae = self.loss(batch, pred, posterior, optimizer_idx=0, global_step=self.global_step)
        aeloss /= self.accumulate_grad_batches
        self.manual_backward(aeloss)
        if (batch_idx + 1) % self.accumulate_grad_batches == 0:
            self.clip_gradients(g_opt, gradient_clip_val=self.oc.optim.gradient_clip_val, gradient_clip_algorithm="norm")
            g_opt.step()
            g_sch.step()
            g_opt.zero_grad()

        discloss, log_disc = self.loss(batch, pred, posterior, optimizer_idx=1, global_step=self.global_step)
        discloss /= self.accumulate_grad_batches
        self.manual_backward(discloss)
        if (batch_idx + 1) % self.accumulate_grad_batches == 0:
            self.clip_gradients(d_opt, gradient_clip_val=self.oc.optim.gradient_clip_val, gradient_clip_algorithm="norm")
            d_opt.step()
            d_sch.step()
            d_opt.zero_grad()


def main(oc, dm, gpus):
    total_batch_size = oc.optim.total_batch_size
    micro_batch_size = oc.optim.micro_batch_size
    accumulate_grad_batches = total_batch_size // (micro_batch_size * gpus)
    total_num_steps = VAESEVIRPLModule.get_total_num_steps(
        epoch=oc.optim.max_epochs, num_samples=dm.num_train_samples, total_batch_size=total_batch_size
    )
    return VAESEVIRPLModule(total_num_steps=total_num_steps, accumulate_grad_batches=accumulate_grad_batches, oc=oc)
