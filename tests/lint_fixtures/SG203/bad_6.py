# A trainer split into methods: the loop clips through a helper method on every micro-batch and
# steps once per window, so each clip sees a partial sum of the window's gradients.
import torch


class Trainer:
    def __init__(self, model, loader, grad_accum_steps=8, max_norm=1.0):
        self.model = model
        self.loader = loader
        self.grad_accum_steps = grad_accum_steps
        self.max_norm = max_norm
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def fit(self):
        for step, (x, y) in enumerate(self.loader):
            loss = torch.nn.functional.cross_entropy(self.model(x), y) / self.grad_accum_steps
            loss.backward()
            self.clip_gradients()
            if (step + 1) % self.grad_accum_steps == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()

    def clip_gradients(self):
        if self.max_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)
