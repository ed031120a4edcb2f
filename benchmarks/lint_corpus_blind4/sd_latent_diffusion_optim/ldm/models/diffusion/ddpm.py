import pytorch_lightning as pl
import torch
from torch.optim.lr_scheduler import LambdaLR

from ldm.util import instantiate_from_config


class LatentDiffusion(pl.LightningModule):
    def __init__(self, unet_config, cond_stage_config, scheduler_config=None, cond_stage_trainable=False, learn_logvar=False, logvar_init=0.0, num_timesteps=1000):
        super().__init__()
        self.model = instantiate_from_config(unet_config)
        self.cond_stage_model = instantiate_from_config(cond_stage_config)
        self.cond_stage_trainable = cond_stage_trainable
        self.use_scheduler = scheduler_config is not None
        self.scheduler_config = scheduler_config
        self.learn_logvar = learn_logvar
        self.logvar = torch.full(fill_value=logvar_init, size=(num_timesteps,))
        if self.learn_logvar:
            self.logvar = torch.nn.Parameter(self.logvar, requires_grad=True)

    def training_step(self, batch, batch_idx):
        return self.shared_step(batch)

    def shared_step(self, batch):
        raise NotImplementedError

    def configure_optimizers(self):
        lr = self.learning_rate
        params = list(self.model.parameters())
        if self.cond_stage_trainable:
            params = params + list(self.cond_stage_model.parameters())
        if self.learn_logvar:
            params.append(self.logvar)
        opt = torch.optim.AdamW(params, lr=lr)
        if self.use_scheduler:
            scheduler = instantiate_from_config(self.scheduler_config)
            scheduler = [{"scheduler": LambdaLR(opt, lr_lambda=scheduler.schedule), "interval": "step", "frequency": 1}]
            return [opt], scheduler
        return opt
