# A trainer's own `backward` method: it only applies the grad scaler, so `self.backward(loss)`
# is a plain backward of the undivided mean loss on every micro-batch.
import torch
import torch.nn.functional as F


class Trainer:
    def __init__(self, model, optimizer, grad_accum_steps=4, use_amp=True):
        self.model = model
        self.optimizer = optimizer
        self.grad_accum_steps = grad_accum_steps
        self.scaler = torch.cuda.amp.GradScaler(enabled=use_amp)

    def backward(self, loss):
        self.scaler.scale(loss).backward()

    def fit(self, loader):
        for step, (x, y) in enumerate(loader):
            with torch.autocast("cuda"):
                loss = F.mse_loss(self.model(x), y)
            self.backward(loss)
            if (step + 1) % self.grad_accum_steps == 0:
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self.optimizer.zero_grad()
