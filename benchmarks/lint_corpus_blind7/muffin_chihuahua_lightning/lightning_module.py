import torch
import torch.nn as nn
from lightning import LightningModule

from model import MuffinChihuahuaClassifier


class MuffinChihuahuaLightningModule(LightningModule):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model = MuffinChihuahuaClassifier()
        self.loss = nn.NLLLoss()

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=1e-3)
        return opt

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss(self.model(x), y)
