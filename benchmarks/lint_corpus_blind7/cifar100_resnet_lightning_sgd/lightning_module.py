import torch
import torch.nn.functional as F
from pytorch_lightning import LightningModule
from torch.optim.lr_scheduler import ReduceLROnPlateau

from model import create_model


class CIFAR100ResNet(LightningModule):
    def __init__(self, learning_rate, batch_size):
        super().__init__()
        self.save_hyperparameters()
        self.model = create_model()

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(
            self.parameters(),
            lr=self.hparams.learning_rate,
            momentum=0.9,
            weight_decay=5e-4,
        )
        scheduler_dict = {
            "scheduler": ReduceLROnPlateau(optimizer, mode="min", factor=0.2, patience=20),
            "interval": "epoch",
            "frequency": 1,
            "monitor": "validation_loss",
        }
        return {"optimizer": optimizer, "lr_scheduler": scheduler_dict}

    def training_step(self, batch, batch_idx):
        inputs, targets = batch
        loss = F.cross_entropy(self.model(inputs), targets)
        self.log("train_loss", loss, on_epoch=True, prog_bar=True)
        return {"inputs": inputs, "loss": loss}
