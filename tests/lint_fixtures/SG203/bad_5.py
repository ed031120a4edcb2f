# A method run once per batch: it clips on every call, outside the window test (on an attribute
# the caller's loop advances), so each micro-batch's partial gradient is clipped.
import torch
from torch import nn


class Model(nn.Module):
    def train_one_step(self, data):
        _, loss = self(**data)
        loss = loss / self.accumulation_steps
        loss.backward()
        if self.clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.parameters(), self.clip_grad_norm)
        if (self.batch_index + 1) % self.accumulation_steps == 0:
            self.optimizer.step()
            self.optimizer.zero_grad()
        return loss

    def train_one_epoch(self, loader):
        self.train()
        for b_idx, data in enumerate(loader):
            self.batch_index = b_idx
            self.train_one_step(data)
