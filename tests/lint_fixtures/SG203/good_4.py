# The same method with the clip inside the window test, right before the step; a zero_grad under
# a test of the changing batch index is not run every call.
import torch
from torch import nn


class Model(nn.Module):
    def train_one_step(self, data):
        if self.accumulation_steps == 1 and self.batch_index == 0:
            self.zero_grad()
        _, loss = self(**data)
        loss = loss / self.accumulation_steps
        loss.backward()
        if (self.batch_index + 1) % self.accumulation_steps == 0:
            if self.clip_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(self.parameters(), self.clip_grad_norm)
            self.optimizer.step()
            self.optimizer.zero_grad()
        return loss

    def train_one_epoch(self, loader):
        self.train()
        for b_idx, data in enumerate(loader):
            self.batch_index = b_idx
            self.train_one_step(data)
