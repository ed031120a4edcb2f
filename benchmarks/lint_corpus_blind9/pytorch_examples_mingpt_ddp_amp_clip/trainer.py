import os
from dataclasses import dataclass
from typing import Optional

import torch
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


@dataclass
class TrainerConfig:
    max_epochs: int = None
    batch_size: int = None
    grad_norm_clip: float = None
    snapshot_path: Optional[str] = None
    use_amp: bool = None


class Trainer:
    def __init__(self, trainer_config, model, optimizer, train_dataset):
        self.config = trainer_config
        self.local_rank = int(os.environ["LOCAL_RANK"])
        self.train_loader = DataLoader(train_dataset, batch_size=self.config.batch_size, sampler=DistributedSampler(train_dataset))
        self.model = model.to(self.local_rank)
        self.optimizer = optimizer
        if self.config.use_amp:
            self.scaler = torch.cuda.amp.GradScaler()
        self.model = DDP(self.model, device_ids=[self.local_rank])

    def _run_batch(self, source, targets, train=True):
        with torch.set_grad_enabled(train), torch.amp.autocast(device_type="cuda", dtype=torch.float16, enabled=(self.config.use_amp)):
            _, loss = self.model(source, targets)
        if train:
            self.optimizer.zero_grad(set_to_none=True)
            if self.config.use_amp:
                self.scaler.scale(loss).backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_norm_clip)
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_norm_clip)
                self.optimizer.step()
        return loss.item()

    def train(self):
        for epoch in range(self.config.max_epochs):
            self.train_loader.sampler.set_epoch(epoch)
            for source, targets in self.train_loader:
                self._run_batch(source.to(self.local_rank), targets.to(self.local_rank))
