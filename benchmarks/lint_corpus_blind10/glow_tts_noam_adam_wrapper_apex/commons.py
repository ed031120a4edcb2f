import numpy as np
import torch


class NoamAdam:
    def __init__(self, params, scheduler, dim_model, warmup_steps=4000, lr=1e0, betas=(0.9, 0.98), eps=1e-9):
        self.scheduler = scheduler
        self.dim_model = dim_model
        self.warmup_steps = warmup_steps
        self.lr = lr
        self.step_num = 1
        self.cur_lr = lr * self._lr_scale()
        self._optim = torch.optim.Adam(params, lr=self.cur_lr, betas=betas, eps=eps)

    def _lr_scale(self):
        if self.scheduler == "noam":
            return np.power(self.dim_model, -0.5) * np.min(
                [np.power(self.step_num, -0.5), self.step_num * np.power(self.warmup_steps, -1.5)])
        return 1

    def _update_learning_rate(self):
        self.step_num += 1
        if self.scheduler == "noam":
            self.cur_lr = self.lr * self._lr_scale()
            for group in self._optim.param_groups:
                group["lr"] = self.cur_lr

    def step(self):
        self._optim.step()
        self._update_learning_rate()

    def zero_grad(self):
        self._optim.zero_grad()


def clip_grad_value_(parameters, clip_value, norm_type=2):
    parameters = [p for p in parameters if p.grad is not None]
    total = 0.0
    for p in parameters:
        total += p.grad.data.norm(float(norm_type)).item() ** norm_type
        p.grad.data.clamp_(min=-float(clip_value), max=float(clip_value))
    return total ** (1.0 / norm_type)
