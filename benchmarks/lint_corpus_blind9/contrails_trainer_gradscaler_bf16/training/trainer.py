import dataclasses

import torch
from torch.utils.data import DataLoader

from training.config import load_config
from training.utils import create_optimizer


@dataclasses.dataclass
class TrainConfiguration:
    config_path: str
    distributed: bool = False
    local_rank: int = 0
    world_size: int = 1
    fp16: bool = True


class PytorchTrainer:
    def __init__(self, train_config, evaluator, fold, train_data, val_data):
        self.train_config = train_config
        self.conf = load_config(train_config.config_path)
        self.model = self._init_model()
        self.losses = self._init_loss_functions()
        self.optimizer, self.scheduler = create_optimizer(self.conf["optimizer"], self.model, len(train_data), train_config.world_size)
        self.gscaler = torch.cuda.amp.GradScaler()
        self.model = torch.nn.DataParallel(self.model).cuda()
        self.train_data = train_data
        self.current_epoch = 0

    def fit(self):
        for epoch in range(self.current_epoch, self.conf["optimizer"]["schedule"]["epochs"]):
            self.current_epoch = epoch
            self.model.train()
            loader = DataLoader(self.train_data, batch_size=self.conf["optimizer"]["train_bs"], shuffle=True, drop_last=True)
            self._run_one_epoch_train(loader, epoch)

    def _run_one_epoch_train(self, loader, epoch):
        if self.conf["optimizer"]["schedule"]["mode"] == "epoch":
            self.scheduler.step(self.current_epoch)
        for i, sample in enumerate(loader):
            imgs = sample["image"].cuda().float()
            self.optimizer.zero_grad()
            with torch.cuda.amp.autocast(enabled=self.train_config.fp16, dtype=torch.bfloat16):
                output = self.model(imgs)
                total_loss = 0
                for loss_def in self.losses:
                    total_loss += loss_def.weight * loss_def.loss.calculate_loss(output, sample)
            if self.train_config.fp16:
                self.gscaler.scale(total_loss).backward()
                self.gscaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5)
                self.gscaler.step(self.optimizer)
                self.gscaler.update()
            else:
                total_loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5)
                self.optimizer.step()
            if self.conf["optimizer"]["schedule"]["mode"] in ("step", "poly"):
                self.scheduler.step(i + self.current_epoch * len(loader))
