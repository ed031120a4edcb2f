# A per-epoch helper steps through the GradScaler many times; the scheduler the loop steps after
# it counts epochs, which one skipped step does not shift.
import torch


class Trainer:
    def __init__(self, model, optimizer, scheduler):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.scaler = torch.cuda.amp.GradScaler()

    def train_one_epoch(self, loader):
        total = 0.0
        for inputs, targets in loader:
            with torch.autocast("cuda"):
                loss = self.model(inputs, targets)
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad()
            total += loss.item()
        return total

    def fit(self, loader, epochs):
        for _ in range(epochs):
            mean_loss = self.train_one_epoch(loader)
            self.scheduler.step()
