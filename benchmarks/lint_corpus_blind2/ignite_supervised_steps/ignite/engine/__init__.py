from typing import Any, Callable, Optional, Sequence

import torch

from ignite.engine.engine import Engine
from ignite.utils import convert_tensor


def _prepare_batch(batch, device=None, non_blocking=False):
    x, y = batch
    return convert_tensor(x, device=device, non_blocking=non_blocking), convert_tensor(y, device=device)


def supervised_training_step(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable,
    device: Optional[str] = None,
    prepare_batch: Callable = _prepare_batch,
    gradient_accumulation_steps: int = 1,
) -> Callable:
    if gradient_accumulation_steps <= 0:
        raise ValueError("gradient_accumulation_steps must be >= 1")

    def update(engine: Engine, batch: Sequence[torch.Tensor]) -> Any:
        model.train()
        x, y = prepare_batch(batch, device=device)
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        if gradient_accumulation_steps > 1:
            loss = loss / gradient_accumulation_steps
        loss.backward()
        if engine.state.iteration % gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    return update


def supervised_training_step_amp(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable,
    device: Optional[str] = None,
    prepare_batch: Callable = _prepare_batch,
    scaler: Optional["torch.cuda.amp.GradScaler"] = None,
    gradient_accumulation_steps: int = 1,
) -> Callable:
    from torch.cuda.amp import autocast

    def update(engine: Engine, batch: Sequence[torch.Tensor]) -> Any:
        model.train()
        x, y = prepare_batch(batch, device=device)
        with autocast(enabled=True):
            y_pred = model(x)
            loss = loss_fn(y_pred, y)
            if gradient_accumulation_steps > 1:
                loss = loss / gradient_accumulation_steps
        if scaler:
            scaler.scale(loss).backward()
            if engine.state.iteration % gradient_accumulation_steps == 0:
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
        else:
            loss.backward()
            if engine.state.iteration % gradient_accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        return loss.item()

    return update


def supervised_training_step_apex(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable,
    device: Optional[str] = None,
    prepare_batch: Callable = _prepare_batch,
    gradient_accumulation_steps: int = 1,
) -> Callable:
    from apex import amp as apex_amp

    def update(engine: Engine, batch: Sequence[torch.Tensor]) -> Any:
        model.train()
        x, y = prepare_batch(batch, device=device)
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        if gradient_accumulation_steps > 1:
            loss = loss / gradient_accumulation_steps
        with apex_amp.scale_loss(loss, optimizer) as scaled_loss:
            scaled_loss.backward()
        if engine.state.iteration % gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    return update


def create_supervised_trainer(
    model, optimizer, loss_fn, device=None, amp_mode=None, scaler=False, gradient_accumulation_steps: int = 1
) -> Engine:
    if amp_mode == "amp":
        if scaler is True:
            scaler = torch.cuda.amp.GradScaler(enabled=True)
        update = supervised_training_step_amp(
            model, optimizer, loss_fn, device, scaler=scaler or None,
            gradient_accumulation_steps=gradient_accumulation_steps,
        )
    elif amp_mode == "apex":
        update = supervised_training_step_apex(
            model, optimizer, loss_fn, device, gradient_accumulation_steps=gradient_accumulation_steps
        )
    else:
        update = supervised_training_step(
            model, optimizer, loss_fn, device, gradient_accumulation_steps=gradient_accumulation_steps
        )
    return Engine(update)
