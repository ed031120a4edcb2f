# A trainer's own `backward` method that divides by the window length itself: the loss handed to
# it undivided is correct.
import torch.nn.functional as F


class Trainer:
    def __init__(self, model, optimizer, grad_accum_steps=4):
        self.model = model
        self.optimizer = optimizer
        self.grad_accum_steps = grad_accum_steps

    def backward(self, loss):
        (loss / self.grad_accum_steps).backward()

    def fit(self, loader):
        for step, (x, y) in enumerate(loader):
            loss = F.mse_loss(self.model(x), y)
            self.backward(loss)
            if (step + 1) % self.grad_accum_steps == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()
