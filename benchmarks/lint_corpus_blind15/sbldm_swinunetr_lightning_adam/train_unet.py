import pytorch_lightning as pl
import torch
from monai.losses import DiceLoss
from monai.networks.nets import SwinUNETR

from modules.data_preprocessing import SegAugDataModule


class LitUNet(pl.LightningModule):
    def __init__(self, spatial_dims, in_channels, out_channels, lr=1e-5):
        super().__init__()
        self.backbone = SwinUNETR(img_size=(128, 128, 64), in_channels=in_channels, out_channels=out_channels, spatial_dims=3)
        self.lr = lr
        self.loss = DiceLoss(sigmoid=True)
        self.save_hyperparameters()

    def forward(self, x):
        return self.backbone(x)

    def training_step(self, batch, batch_idx):
        x, mask = batch[0][:, :-1], batch[0][:, -1, None]
        mask[mask == -1] = 0
        loss = self.loss(self.forward(x), mask)
        self.log("dice_loss", loss, on_step=True, on_epoch=True, sync_dist=True)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.lr)
        return optimizer


if __name__ == "__main__":
    model = LitUNet(spatial_dims=3, in_channels=2, out_channels=1, lr=3e-4)
    datamodule = SegAugDataModule(real_dir="./data/second_stage_dataset_128x128.npy", batch_size=4)
    trainer = pl.Trainer(accelerator="gpu", precision=32, max_epochs=100, log_every_n_steps=1)
    trainer.fit(model=model, datamodule=datamodule)
