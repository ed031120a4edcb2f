from pytorch_lightning import LightningModule, Trainer
from torch.utils.data import DataLoader

from datasets import dataset_dict
from losses import loss_dict
from models.nerf import NeRF
from models.rendering import render_rays
from opt import get_opts
from utils import get_optimizer, get_scheduler


class NeRFSystem(LightningModule):
    def __init__(self, hparams):
        super().__init__()
        self.save_hyperparameters(hparams)
        self.loss = loss_dict["mse"]()
        self.nerf_coarse = NeRF()
        self.models = [self.nerf_coarse]
        if hparams.N_importance > 0:
            self.nerf_fine = NeRF()
            self.models += [self.nerf_fine]

    def setup(self, stage):
        self.train_dataset = dataset_dict[self.hparams.dataset_name](root_dir=self.hparams.root_dir, split="train")

    def configure_optimizers(self):
        self.optimizer = get_optimizer(self.hparams, self.models)
        scheduler = get_scheduler(self.hparams, self.optimizer)
        return [self.optimizer], [scheduler]

    def train_dataloader(self):
        return DataLoader(self.train_dataset, shuffle=True, num_workers=4, batch_size=self.hparams.batch_size)

    def training_step(self, batch, batch_nb):
        results = render_rays(self.models, batch["rays"], self.hparams.N_samples, self.hparams.N_importance, self.hparams.chunk)
        loss = self.loss(results, batch["rgbs"])
        self.log("train/loss", loss)
        return loss


if __name__ == "__main__":
    hparams = get_opts()
    trainer = Trainer(max_epochs=hparams.num_epochs, gpus=hparams.num_gpus, accelerator="ddp" if hparams.num_gpus > 1 else None)
    trainer.fit(NeRFSystem(hparams))
