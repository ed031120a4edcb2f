# The learning-rate helper is called once per window, right after the optimizer step; another
# helper steps a schedule counted in micro-batches.
import torch


class Trainer:
    def __init__(self, model, loader, epochs, grad_accum=4):
        self.model = model
        self.loader = loader
        self.grad_accum = grad_accum
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer, max_lr=0.1, total_steps=epochs * len(loader) // grad_accum
        )

    def fit(self):
        for i, (x, y) in enumerate(self.loader):
            loss = torch.nn.functional.mse_loss(self.model(x), y) / self.grad_accum
            loss.backward()
            if (i + 1) % self.grad_accum == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()
                self.update_lr()

    def update_lr(self):
        self.scheduler.step()
