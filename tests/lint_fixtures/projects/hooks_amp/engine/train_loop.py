"""A hook-based trainer: the loop runs the trainer's step, then every hook's after_step()."""

import weakref

import torch


class HookBase:
    trainer = None

    def before_step(self):
        pass

    def after_step(self):
        pass


class TrainerBase:
    def __init__(self):
        self._hooks = []
        self.iter = 0

    def register_hooks(self, hooks):
        for h in hooks:
            h.trainer = weakref.proxy(self)
        self._hooks.extend(hooks)

    def train(self, start_iter, max_iter):
        for self.iter in range(start_iter, max_iter):
            for h in self._hooks:
                h.before_step()
            self.run_step()
            for h in self._hooks:
                h.after_step()

    def run_step(self):
        raise NotImplementedError


class AMPTrainer(TrainerBase):
    def __init__(self, model, data_loader, optimizer):
        super().__init__()
        self.model = model
        self._data_loader_iter = iter(data_loader)
        self.optimizer = optimizer
        self.grad_scaler = torch.cuda.amp.GradScaler()

    def run_step(self):
        data = next(self._data_loader_iter)
        with torch.autocast("cuda"):
            losses = sum(self.model(data).values())
        self.optimizer.zero_grad()
        self.grad_scaler.scale(losses).backward()
        self.grad_scaler.step(self.optimizer)
        self.grad_scaler.update()
