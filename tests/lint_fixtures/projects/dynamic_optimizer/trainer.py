# The optimizer module is chosen by name from the config and imported at run time; its factory is
# given every parameter of the model.
import importlib

import torch


class Trainer:
    def __init__(self, config, model, loader):
        self.model = model
        self.loader = loader
        Optimizer = importlib.import_module("optimizers." + config.optimizer).__getattribute__("Optimizer")
        self.optimizer = Optimizer(self.model.parameters(), **vars(config))

    def train_one_epoch(self):
        for x, y in self.loader:
            loss = torch.nn.functional.cross_entropy(self.model(x), y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
