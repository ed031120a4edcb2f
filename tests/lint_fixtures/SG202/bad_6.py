# A trainer split into methods: the loop updates the learning rate through a helper on every
# micro-batch, while the optimizer steps once per window; the schedule is counted in updates.
import torch


class Trainer:
    def __init__(self, model, loader, epochs, grad_accum=4):
        self.model = model
        self.loader = loader
        self.grad_accum = grad_accum
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        updates = epochs * len(loader) // grad_accum
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer, max_lr=0.1, total_steps=updates
        )

    def fit(self):
        for i, (x, y) in enumerate(self.loader):
            loss = torch.nn.functional.mse_loss(self.model(x), y) / self.grad_accum
            loss.backward()
            self.update_lr()
            if (i + 1) % self.grad_accum == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()

    def update_lr(self):
        self.scheduler.step()
