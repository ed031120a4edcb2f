import torch
import torch.nn as nn


class Trainer(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = None
        self.optimizer = None
        self.scheduler = None
        self.criterion = None
        self.step_scheduler_after = None
        self.scheduler_metric = None
        self.device = "cpu"

    def train_one_step(self, inputs, targets):
        inputs, targets = inputs.to(self.device), targets.to(self.device)
        self.optimizer.zero_grad()
        outputs = self.model(inputs)
        self.batch_loss = self.criterion(outputs.view(-1, 1).float(), targets.view(-1, 1).float())
        self.batch_loss.backward()
        self.optimizer.step()
        if self.scheduler:
            if self.step_scheduler_after == "batch":
                if self.scheduler_metric:
                    self.scheduler.step(self.batch_loss)
                else:
                    self.scheduler.step()
        return outputs.reshape(-1), self.batch_loss

    def fetch_optimizer(self):
        return None

    def fetch_scheduler(self):
        return None

    def initialize(self, model, device):
        self.model = model.to(device)
        self.device = device
        if self.optimizer is None:
            self.optimizer = self.fetch_optimizer()
        if self.scheduler is None:
            self.scheduler = self.fetch_scheduler()

    def fit(self, train_loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            for batch in train_loader:
                _, loss = self.train_one_step(batch["inputs"], batch["targets"])
            if self.scheduler and self.step_scheduler_after == "epoch":
                self.scheduler.step()
