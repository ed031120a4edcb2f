"""Wrap the model and the optimizer for the run's precision."""

from engine import amp


class PlainOptimizer:
    def __init__(self, optimizer):
        self._optimizer = optimizer

    def backward(self, loss):
        loss.backward()

    def step(self):
        self._optimizer.step()

    def zero_grad(self):
        self._optimizer.zero_grad(set_to_none=True)


def initialize(model, optimizer, fp16=False):
    optimizer = PlainOptimizer(optimizer)
    if fp16:
        model, optimizer = amp.initialize(model, optimizer._optimizer)
    return model, optimizer
