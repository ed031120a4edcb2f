# The same control branch: the collected modules' parameters are split by role (weight matrices
# and conv kernels decay; biases and norm gains do not) before AdamW sees them.
import lightning.pytorch as pl
import torch
import torch.nn as nn


class ControlBranch(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, padding=1)
        self.norm = nn.GroupNorm(32, width)


class ControlledDiffusion(pl.LightningModule):
    def __init__(self, backbone, width=320, train_decoder=False, learning_rate=1e-5):
        super().__init__()
        self.backbone = backbone
        self.control = ControlBranch(width)
        self.train_decoder = train_decoder
        self.learning_rate = learning_rate

    def configure_optimizers(self):
        params = list(self.control.parameters())
        if self.train_decoder:
            params += list(self.backbone.decoder.parameters())
        decay = [p for p in params if p.ndim >= 2]
        no_decay = [p for p in params if p.ndim < 2]
        groups = [
            {"params": decay, "weight_decay": 0.01},
            {"params": no_decay, "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(groups, lr=self.learning_rate)
