# The optimizer module is chosen by name from the config and imported at run time; its factory is
# given a split that keeps biases and norms out of decay.
import importlib

import torch


class Trainer:
    def __init__(self, config, model, loader):
        self.model = model
        self.loader = loader
        Optimizer = importlib.import_module("optimizers." + config.optimizer).__getattribute__("Optimizer")
        self.optimizer = Optimizer(split(self.model), **vars(config))

    def train_one_epoch(self):
        for x, y in self.loader:
            loss = torch.nn.functional.cross_entropy(self.model(x), y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()


def split(model):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    return [{"params": decay}, {"params": rest, "weight_decay": 0.0}]
