# Lightning module that trains a control branch next to a frozen backbone: configure_optimizers
# collects the trainable modules' parameters into one list, piece by piece, and hands it to AdamW
# without a weight_decay argument, so AdamW's default 0.01 decays the GroupNorm gains and the
# conv biases of every collected module.
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
            params += list(self.backbone.out.parameters())
        return torch.optim.AdamW(params, lr=self.learning_rate)
