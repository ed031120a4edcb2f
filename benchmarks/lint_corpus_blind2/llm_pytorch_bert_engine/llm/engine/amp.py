"""Mixed precision through model / optimizer / criterion wrappers."""

from __future__ import annotations

from typing import Any

import torch
from torch.cuda.amp import GradScaler

from llm.engine.base import BaseOptimizer


class AMPModel(torch.nn.Module):
    def __init__(self, model: torch.nn.Module, autocast: torch.autocast) -> None:
        super().__init__()
        self._model = model
        self._autocast = autocast

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        with self._autocast:
            return self._model(*args, **kwargs)


class AMPCriterion(torch.nn.Module):
    def __init__(self, criterion: torch.nn.Module, autocast: torch.autocast) -> None:
        super().__init__()
        self._criterion = criterion
        self._autocast = autocast

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        with self._autocast:
            return self._criterion(*args, **kwargs)


class AMPOptimizer(BaseOptimizer):
    def __init__(self, model, optimizer, scaler: GradScaler, max_norm: float | None = None) -> None:
        super().__init__(optimizer)
        self._model = model
        self._scaler = scaler
        self._max_norm = max_norm

    def backward(self, loss: torch.Tensor) -> None:
        self._scaler.scale(loss).backward()

    def step(self, closure=None) -> None:
        if self._max_norm is not None:
            self._scaler.unscale_(self._optimizer)
            torch.nn.utils.clip_grad_norm_(self._model.parameters(), self._max_norm)
        self._scaler.step(self._optimizer)
        self._scaler.update()


def initialize(model, optimizer, criterion, dtype=torch.float16, max_norm=None, **kwargs):
    device = "cuda" if next(model.parameters()).is_cuda else "cpu"
    autocast = torch.autocast(device, dtype=dtype)
    scaler = GradScaler(**kwargs, enabled=device == "cuda")
    return (
        AMPModel(model, autocast),
        AMPOptimizer(model, optimizer, scaler, max_norm),
        AMPCriterion(criterion, autocast),
    )
