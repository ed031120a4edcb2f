"""The tez model class: users subclass Model and define forward, fetch_optimizer and fetch_scheduler."""
import torch
import torch.nn as nn
from tqdm import tqdm


class Model(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.train_loader = None
        self.optimizer = None
        self.scheduler = None
        self.step_scheduler_after = None
        self.step_scheduler_metric = None
        self.device = None
        self.fp16 = False
        self.scaler = None
        self.accumulation_steps = 0
        self.batch_index = 0
        self.clip_grad_norm = None

    def fetch_optimizer(self, *args, **kwargs):
        return

    def fetch_scheduler(self, *args, **kwargs):
        return

    def _init_model(self, device, train_dataset, train_bs, fp16, accumulation_steps, clip_grad_norm):
        self.device = device
        self.accumulation_steps = accumulation_steps
        self.clip_grad_norm = clip_grad_norm
        self.to(self.device)
        if self.train_loader is None:
            self.train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=train_bs, shuffle=True)
        if self.optimizer is None:
            self.optimizer = self.fetch_optimizer()
        if self.scheduler is None:
            self.scheduler = self.fetch_scheduler()
        self.fp16 = fp16
        if self.fp16:
            self.scaler = torch.cuda.amp.GradScaler()

    def model_fn(self, data):
        data = {k: v.to(self.device) for k, v in data.items()}
        if self.fp16:
            with torch.cuda.amp.autocast():
                return self(**data)
        return self(**data)

    def train_one_step(self, data):
        if self.accumulation_steps == 1 and self.batch_index == 0:
            self.zero_grad()
        _, loss, metrics = self.model_fn(data)
        loss = loss / self.accumulation_steps
        if self.fp16:
            self.scaler.scale(loss).backward()
        else:
            loss.backward()
        if self.clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.parameters(), self.clip_grad_norm)
        if (self.batch_index + 1) % self.accumulation_steps == 0:
            if self.fp16:
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                self.optimizer.step()
            if self.scheduler:
                if self.step_scheduler_after == "batch":
                    if self.step_scheduler_metric is None:
                        self.scheduler.step()
                    else:
                        self.scheduler.step(self.metrics[self.step_scheduler_metric])
                if self.batch_index > 0:
                    self.zero_grad()
        return loss, metrics

    def train_one_epoch(self, data_loader):
        self.train()
        if self.accumulation_steps > 1:
            self.optimizer.zero_grad()
        for b_idx, data in enumerate(tqdm(data_loader, total=len(data_loader))):
            self.batch_index = b_idx
            loss, metrics = self.train_one_step(data)

    def fit(self, train_dataset, device="cuda", epochs=10, train_bs=16, fp16=False, accumulation_steps=1,
            clip_grad_norm=None):
        self._init_model(device, train_dataset, train_bs, fp16, accumulation_steps, clip_grad_norm)
        for _ in range(epochs):
            self.train_one_epoch(self.train_loader)
            if self.scheduler and self.step_scheduler_after == "epoch":
                self.scheduler.step()
