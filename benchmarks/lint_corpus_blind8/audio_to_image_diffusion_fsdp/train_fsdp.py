import os

import torch
from torch.amp import GradScaler, autocast
from torch.distributed import init_process_group
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from models.diffusion import Diffusion
from models.unet import UNetWithCrossAttention
from utils.config import ModelConfig
from utils.EmbedsDataset import EmbedsDataset


class FSDP_Trainer:
    def __init__(self, model, train_data, config):
        self.local_rank = int(os.environ["LOCAL_RANK"])
        init_process_group(backend="nccl")
        torch.cuda.set_device(self.local_rank)
        self.train_data = DataLoader(train_data, batch_size=config.BS, sampler=DistributedSampler(train_data, shuffle=True, drop_last=True))
        self.unconditional_prob = config.unconditional_prob
        self.perceptual_gamma = 0.985
        self.perceptual_scale = 0.2
        self.difference = 2.5
        self.model = model.to(self.local_rank)
        LR = config.lr
        self.model = FSDP(self.model, device_id=self.local_rank, use_orig_params=True)
        self.diffusion = Diffusion(timesteps=config.timesteps, image_size=config.image_size)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.scheduler = torch.optim.lr_scheduler.ExponentialLR(self.optimizer, gamma=config.gamma)
        self.scaler = GradScaler()

    def _run_epoch(self, epoch):
        self.model.train()
        for source, targets in self.train_data:
            source = source.to(self.local_rank)
            targets = targets.to(self.local_rank)
            self._train_batch(source, targets)
        self.scheduler.step()

    def _train_batch(self, source, targets):
        if torch.rand(1) < self.unconditional_prob:
            source = None
        self.optimizer.zero_grad()
        with autocast("cuda", dtype=torch.bfloat16):
            noise_loss, feature_loss = self.diffusion.self_perceptual_loss(self.model, targets, source)
        if (self.perceptual_scale * self.difference * feature_loss > noise_loss).item():
            self.perceptual_scale = self.perceptual_scale * self.perceptual_gamma
        loss = self.perceptual_scale * feature_loss + noise_loss
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return noise_loss, feature_loss

    def train(self, max_epochs):
        for epoch in range(max_epochs):
            self.train_data.sampler.set_epoch(epoch)
            self._run_epoch(epoch)


def main(total_epochs):
    config = ModelConfig({"image_size": 128, "lr": 0.0005, "gamma": 0.98, "BS": 3, "unconditional_prob": 0.1, "timesteps": 1000})
    dataset = EmbedsDataset("data/images", "data/embeds/sound_embeds.h5")
    model = UNetWithCrossAttention(config)
    trainer = FSDP_Trainer(model, dataset, config)
    trainer.train(total_epochs)


if __name__ == "__main__":
    main(100)
