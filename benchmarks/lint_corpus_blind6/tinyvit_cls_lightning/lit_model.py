import timm
import torch
from pytorch_lightning import LightningModule
from torch.nn import CrossEntropyLoss


class LitModule(LightningModule):
    def __init__(self, net: str, lr, scheduler=False):
        super().__init__()
        self.save_hyperparameters(logger=False)
        self.net = timm.create_model(net, num_classes=3, pretrained=True)
        self.lr = lr
        self.criterion = CrossEntropyLoss()

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self.net(x), y)
        self.log("train/loss", loss)
        return {"loss": loss}

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9)
        if self.hparams.scheduler:
            scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, steps_per_epoch=743, epochs=40)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "monitor": "val/loss", "interval": "step", "frequency": 1}}
        return {"optimizer": optimizer}
