# Clipping helpers at the right place: called under the window's guard; or called on every
# micro-batch but clipping only when the window syncs.
import torch


class Trainer:
    def __init__(self, model, loader, accelerator, grad_accum_steps=8, max_norm=1.0):
        self.model = model
        self.loader = loader
        self.accelerator = accelerator
        self.grad_accum_steps = grad_accum_steps
        self.max_norm = max_norm
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def fit(self):
        for step, (x, y) in enumerate(self.loader):
            loss = torch.nn.functional.cross_entropy(self.model(x), y) / self.grad_accum_steps
            loss.backward()
            if (step + 1) % self.grad_accum_steps == 0:
                self.clip_gradients()
                self.optimizer.step()
                self.optimizer.zero_grad()

    def clip_gradients(self):
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)

    def fit_synced(self):
        for step, (x, y) in enumerate(self.loader):
            loss = torch.nn.functional.cross_entropy(self.model(x), y) / self.grad_accum_steps
            loss.backward()
            self.clip_when_synced(step)
            if (step + 1) % self.grad_accum_steps == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()

    def clip_when_synced(self, step):
        if (step + 1) % self.grad_accum_steps == 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)
