# An optimizer class the project defines itself (a torch.optim.Optimizer subclass) decays every
# parameter of the model.
import torch


class Lion(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    def step(self, closure=None):
        return None


def build(model, cfg):
    return Lion(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
