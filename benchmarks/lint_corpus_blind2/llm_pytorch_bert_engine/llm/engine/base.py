"""Thin optimizer wrapper: adds backward() so wrappers can change how the loss is differentiated."""

from __future__ import annotations

from typing import Any

import torch
from torch.optim import Optimizer


class BaseOptimizer(Optimizer):
    def __init__(self, optimizer: Optimizer):
        self._optimizer = optimizer

    @property
    def param_groups(self) -> Any:
        return self._optimizer.param_groups

    def state_dict(self) -> dict[str, Any]:
        return self._optimizer.state_dict()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._optimizer.load_state_dict(state_dict)

    def step(self, *args: Any, **kwargs: Any) -> None:
        self._optimizer.step(*args, **kwargs)

    def zero_grad(self, *args: Any, **kwargs: Any) -> None:
        self._optimizer.zero_grad(*args, **kwargs)

    def backward(self, loss: torch.Tensor) -> None:
        loss.backward()
