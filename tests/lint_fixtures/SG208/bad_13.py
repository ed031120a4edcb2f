# A trainer class wraps each of its networks in DDP in a setup method; its per-batch method
# accumulates `accum_steps` batches per step and never skips the all-reduce.
import torch
from torch.nn.parallel import DistributedDataParallel


class Trainer:
    def __init__(self, nets, accum_steps=1):
        self.nets = torch.nn.ModuleDict(nets)
        self.accum_steps = accum_steps
        self.iteration = 0
        self.optimizer = torch.optim.SGD(self.nets.parameters(), lr=0.1)

    def setup_distributed(self, rank):
        for name, net in self.nets.items():
            self.nets[name] = DistributedDataParallel(net, device_ids=[rank])

    def train_step(self, x, y):
        self.iteration += 1
        pred = self.nets.head(self.nets.body(x))
        loss = torch.nn.functional.mse_loss(pred, y) / self.accum_steps
        loss.backward()
        if self.iteration % self.accum_steps == 0:
            self.optimizer.step()
            self.optimizer.zero_grad()
