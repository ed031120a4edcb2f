"""A Brain-style trainer base class: modules in a ModuleDict, each wrapped in DDP on its own."""

import torch
from torch.nn.parallel import DistributedDataParallel as DDP


class Brain:
    def __init__(self, modules, opt_class, hparams, distributed_launch=False):
        self.modules = torch.nn.ModuleDict(modules)
        self.hparams = hparams
        self.opt_class = opt_class
        self.distributed_launch = distributed_launch
        self.step = 0
        if self.distributed_launch:
            self._wrap_distributed()
        self.optimizer = self.opt_class(self.modules.parameters())

    def _wrap_distributed(self):
        for name, module in self.modules.items():
            if any(p.requires_grad for p in module.parameters()):
                self.modules[name] = DDP(module)

    def compute_forward(self, batch):
        return self.modules.encoder(batch.feats)

    def fit_batch(self, batch):
        raise NotImplementedError

    def fit(self, epochs, train_set):
        for _ in range(epochs):
            for batch in train_set:
                self.step += 1
                self.fit_batch(batch)
