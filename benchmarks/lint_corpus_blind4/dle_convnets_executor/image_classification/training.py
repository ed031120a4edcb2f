from typing import Optional

import torch
import torch.nn as nn
from torch.cuda.amp import autocast
from torch.nn.parallel import DistributedDataParallel as DDP


class Executor:
    def __init__(self, model: nn.Module, loss: Optional[nn.Module], amp: bool = False, scaler=None, divide_loss: int = 1):
        self.model = model.cuda()
        self.loss = loss.cuda() if loss is not None else None
        self.amp = amp
        self.scaler = scaler
        self.divide_loss = divide_loss

    def distributed(self, gpu_id):
        self.model = DDP(self.model, device_ids=[gpu_id], output_device=gpu_id)

    def forward_backward(self, input, target):
        with autocast(enabled=self.amp):
            loss = self.loss(self.model(input), target)
            loss /= self.divide_loss
        self.scaler.scale(loss).backward()
        return loss


class Trainer:
    def __init__(self, executor: Executor, optimizer, grad_acc_steps: int):
        self.executor = executor
        self.optimizer = optimizer
        self.grad_acc_steps = grad_acc_steps
        self.optimizer.zero_grad(set_to_none=True)
        self.steps_since_update = 0

    def train_step(self, input, target):
        loss = self.executor.forward_backward(input, target)
        self.steps_since_update += 1
        if self.steps_since_update == self.grad_acc_steps:
            if self.executor.scaler is not None:
                self.executor.scaler.step(self.optimizer)
                self.executor.scaler.update()
            else:
                self.optimizer.step()
            self.optimizer.zero_grad()
            self.steps_since_update = 0
        return loss


def train(train_step, train_loader, lr_scheduler):
    for i, (input, target) in enumerate(train_loader):
        lr_scheduler(i)
        train_step(input, target)
