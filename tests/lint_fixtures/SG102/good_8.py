# The last branch of an exhaustive if/elif chain is unreachable: the assert there can only hold
# for the names handled above (compared in lower case).
import logging

import torch


class Runner:
    def __init__(self, optimizer="AdamW", lr=1e-3):
        self.optimizer_name = optimizer
        self.lr = lr

    def build(self, model):
        name = self.optimizer_name.lower()
        groups = [
            {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.05},
            {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
        ]
        if name == "adamw":
            optimizer = torch.optim.AdamW(groups, lr=self.lr)
        elif name == "sgd":
            optimizer = torch.optim.SGD(groups, lr=self.lr, momentum=0.9)
        else:
            logging.error("unknown optimizer %s", self.optimizer_name)
            assert self.optimizer_name in ["AdamW", "SGD"]
            optimizer = torch.optim.SGD(model.parameters(), lr=self.lr, weight_decay=1e-4)
        return optimizer
