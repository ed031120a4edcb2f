import copy
import re

import lightning as L
import torch


class MEICARModule(L.LightningModule):
    def __init__(self, model, metrics, optimizer=None, LR_scheduler=None):
        super().__init__()
        self.model = model
        self.metrics = metrics
        self.optimizer_factory = optimizer
        self.LR_scheduler_factory = LR_scheduler

    def training_step(self, batch):
        loss, outputs = self.model(batch)
        self.log("train/loss", loss)
        return loss

    @staticmethod
    def _is_norm_bias_param(n):
        return bool(re.search(r"(bias|(layer_?)?norm(\d*)\.weight)", n, re.IGNORECASE))

    def _norm_bias_params(self):
        for name, p in self.named_parameters():
            if self._is_norm_bias_param(name):
                yield p

    def _non_norm_bias_params(self):
        for name, p in self.named_parameters():
            if not self._is_norm_bias_param(name):
                yield p

    @property
    def weight_decay(self):
        if self.optimizer_factory is None:
            return None
        return self.optimizer_factory.keywords.get("weight_decay", None)

    @property
    def optimizer_no_decay_factory(self):
        new_factory = copy.deepcopy(self.optimizer_factory)
        if "weight_decay" in new_factory.keywords:
            new_factory.keywords["weight_decay"] = 0.0
        return new_factory

    def configure_optimizers(self):
        params = [
            {"params": self._non_norm_bias_params(), "weight_decay": self.weight_decay},
            {"params": self._norm_bias_params(), "weight_decay": 0.0},
        ]
        optimizer = self.optimizer_no_decay_factory(params)
        if self.LR_scheduler_factory is None:
            return optimizer
        scheduler = self.LR_scheduler_factory(optimizer)
        LR_config = {"scheduler": scheduler, "frequency": 1}
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            LR_config["monitor"] = "tuning/loss"
            LR_config["interval"] = "epoch"
        else:
            LR_config["interval"] = "step"
        return {"optimizer": optimizer, "lr_scheduler": LR_config}
