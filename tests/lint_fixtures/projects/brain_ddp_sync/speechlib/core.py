"""A Brain-style trainer base class whose no_sync() skips the all-reduce of every DDP module."""

import contextlib

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

    @contextlib.contextmanager
    def no_sync(self, use=True):
        with contextlib.ExitStack() as stack:
            if use:
                for module in self.modules.values():
                    if hasattr(module, "no_sync"):
                        stack.enter_context(module.no_sync())
            yield

    def fit_batch(self, batch):
        raise NotImplementedError

    def fit(self, epochs, train_set):
        for _ in range(epochs):
            for batch in train_set:
                self.step += 1
                self.fit_batch(batch)
