# The loss kept on the trainer (`self.loss`) is a variable of the loop, bound to the criterion's
# mean over the micro-batch, and backpropagated undivided.
import torch
from torch import nn


class Trainer:
    def __init__(self, model, accumulate=4):
        self.model = model
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        self.accumulate = accumulate

    def train_epoch(self, loader):
        for i, (x, y) in enumerate(loader):
            self.loss = self.criterion(self.model(x), y)
            self.loss.backward()
            if (i + 1) % self.accumulate == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()
