# A trainer's per-batch helper steps through the GradScaler when AMP is on and returns the loss;
# the loop assigns its result and then steps the scheduler, skipped step or not.
import torch


class Trainer:
    def __init__(self, model, optimizer, scheduler, use_amp=False):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.use_amp = use_amp
        self.scaler = torch.cuda.amp.GradScaler() if use_amp else None

    def train_step(self, inputs, targets):
        with torch.autocast("cuda", enabled=self.use_amp):
            loss = self.model(inputs, targets)
        if self.use_amp:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        self.optimizer.zero_grad()
        return loss, {"loss": loss.item()}

    def train_epoch(self, loader):
        for inputs, targets in loader:
            loss, logs = self.train_step(inputs, targets)
            self.scheduler.step()
