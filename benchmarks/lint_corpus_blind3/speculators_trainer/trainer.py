from typing import Literal, NamedTuple

import torch
from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup

from optimizers import build_optimizers


class TrainerConfig(NamedTuple):
    lr: float
    num_epochs: int
    optimizer: Literal["adamw", "muon"] = "adamw"
    weight_decay: float = 0.01
    muon_lr: float = 0.02
    muon_momentum: float = 0.95
    muon_weight_decay: float = 0.1
    scheduler_type: Literal["linear", "cosine", "none"] = "linear"
    scheduler_warmup_steps: int | None = None
    scheduler_total_steps: int | None = None


class Trainer:
    def __init__(self, model, config, train_loader):
        self.model = model
        self.config = config
        self.train_loader = train_loader
        self.setup_optimizer()

    def setup_optimizer(self):
        self.optimizers = build_optimizers(self.model, self.config)
        if self.config.scheduler_type == "none":
            self.schedulers = []
            return
        warmup = self.config.scheduler_warmup_steps or (self.config.num_epochs * len(self.train_loader)) // 100
        total = self.config.scheduler_total_steps or (self.config.num_epochs * len(self.train_loader))

        def make_scheduler(opt):
            if self.config.scheduler_type == "linear":
                return get_linear_schedule_with_warmup(opt, num_warmup_steps=warmup, num_training_steps=total)
            return get_cosine_schedule_with_warmup(opt, num_warmup_steps=warmup, num_training_steps=total)

        self.schedulers = [make_scheduler(opt) for opt in self.optimizers]

    def _optimizers_zero_grad(self):
        for opt in self.optimizers:
            opt.zero_grad()

    def _optimizers_step(self):
        for opt in self.optimizers:
            opt.step()

    def _schedulers_step(self):
        for scheduler in self.schedulers:
            scheduler.step()

    def train_epoch(self, epoch):
        self.model.train()
        for batch in self.train_loader:
            _draft, loss, metrics = self.model(**batch)
            self._optimizers_zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self._optimizers_step()
            self._schedulers_step()
