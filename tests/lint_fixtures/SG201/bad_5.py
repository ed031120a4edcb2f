# The window lives in a method of a trainer: its guard reads an attribute counter and a
# subscripted config, and the loss comes back from a helper method that never divides it.
import torch.nn.functional as F


class Trainer:
    def __init__(self, model, optimizer, cfg):
        self.model = model
        self.optimizer = optimizer
        self.cfg = cfg
        self.global_step = 0

    def compute_loss(self, batch):
        logits = self.model(batch["input"])
        return F.cross_entropy(logits, batch["label"])

    def train_epoch(self, loader):
        for batch in loader:
            loss = self.compute_loss(batch)
            loss.backward()
            self.global_step += 1
            if self.global_step % self.cfg["grad_accum_steps"] == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()
