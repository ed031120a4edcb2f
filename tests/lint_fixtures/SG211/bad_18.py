# A trainer's window guard reads a counter that starts at 0 (`self.step = 0`): the guard is true
# on every k-th micro-batch whatever the counter's first value, so with AMP on (the default here)
# the unguarded scheduler step after the scaler step bites: active, not latent on the guard.
import torch
from torch.cuda.amp import GradScaler


class Trainer:
    def __init__(self, model, optimizer, scheduler, accum=4, amp=True):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.accum = accum
        self.step = 0
        self.scaler = GradScaler(enabled=amp)

    def fit(self, loader):
        for x, y in loader:
            loss = torch.nn.functional.cross_entropy(self.model(x), y) / self.accum
            self.scaler.scale(loss).backward()
            if (self.step + 1) % self.accum == 0:
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self.scheduler.step()
                self.optimizer.zero_grad()
            self.step += 1
