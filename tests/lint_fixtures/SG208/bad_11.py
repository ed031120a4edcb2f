# A trainer class: accelerate prepares the model in __init__, the window is a method's inner
# loop over micro-batches; nothing skips the all-reduce of the other micro-batches.
from accelerate import Accelerator
from torch.optim import Adam


class Trainer:
    def __init__(self, model, loader, accumulate_every=1, lr=1e-4):
        self.accelerator = Accelerator(mixed_precision="no")
        self.accumulate_every = accumulate_every
        self.opt = Adam(model.parameters(), lr=lr)
        self.model, self.opt = self.accelerator.prepare(model, self.opt)
        self.loader = loader
        self.step = 0

    def train(self, num_steps):
        while self.step < num_steps:
            for _ in range(self.accumulate_every):
                loss = self.model(next(self.loader))
                loss = loss / self.accumulate_every
                self.accelerator.backward(loss)
            self.opt.step()
            self.opt.zero_grad()
            self.step += 1
