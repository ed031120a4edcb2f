"""Mixed precision as an optimizer wrapper: backward and step go through one GradScaler."""

import torch


class AMPOptimizer:
    def __init__(self, optimizer, scaler):
        self._optimizer = optimizer
        self._scaler = scaler

    def backward(self, loss):
        self._scaler.scale(loss).backward()

    def step(self):
        self._scaler.step(self._optimizer)
        self._scaler.update()

    def zero_grad(self):
        self._optimizer.zero_grad(set_to_none=True)


def initialize(model, optimizer):
    return model, AMPOptimizer(optimizer, torch.cuda.amp.GradScaler())
