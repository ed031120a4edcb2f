# A trainer's per-batch helper steps through the GradScaler and reports whether the scale held
# (a dropped scale means the step was skipped); the loop steps the scheduler only then.
import torch


class Trainer:
    def __init__(self, model, optimizer, scheduler, use_amp=False):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.use_amp = use_amp
        self.scaler = torch.cuda.amp.GradScaler(enabled=use_amp)

    def train_step(self, inputs, targets):
        with torch.autocast("cuda", enabled=self.use_amp):
            loss = self.model(inputs, targets)
        self.scaler.scale(loss).backward()
        scale = self.scaler.get_scale()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad()
        return loss, self.scaler.get_scale() < scale

    def train_epoch(self, loader):
        for inputs, targets in loader:
            loss, skipped = self.train_step(inputs, targets)
            if not skipped:
                self.scheduler.step()
