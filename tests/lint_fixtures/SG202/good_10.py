# A trainer class is handed its scheduler and leaves it out of prepare, but steps it only when
# the accumulate() block syncs: once per optimizer step.
import torch
from accelerate import Accelerator


class Trainer:
    def __init__(self, model, loader, optimizer, lr_scheduler, accelerator):
        self.model = model
        self.loader = loader
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.accelerator = accelerator

    def setup_distributed(self, accelerator, model, optimizer, loader):
        return accelerator.prepare(model, optimizer, loader)

    def prepare(self):
        self.model, self.optimizer, self.loader = self.setup_distributed(
            self.accelerator, self.model, self.optimizer, self.loader
        )

    def train_step(self, batch):
        with self.accelerator.accumulate(self.model):
            loss = self.model(**batch).loss
            self.accelerator.backward(loss)
            self.optimizer.step()
            if self.accelerator.sync_gradients:
                self.lr_scheduler.step()
            self.optimizer.zero_grad()


def main(model, loader, steps):
    accelerator = Accelerator(gradient_accumulation_steps=8)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 0.01, 1.0, total_iters=steps)
    trainer = Trainer(model, loader, optimizer, scheduler, accelerator)
    trainer.prepare()
    for batch in trainer.loader:
        trainer.train_step(batch)
