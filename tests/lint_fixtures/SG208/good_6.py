# The class wraps only its critic in DDP; the accumulating method trains the (local) generator.
import torch
from torch.nn.parallel import DistributedDataParallel


class Trainer:
    def __init__(self, generator, critic, accum_steps=4):
        self.generator = generator
        self.critic = critic
        self.accum_steps = accum_steps
        self.iteration = 0
        self.optimizer = torch.optim.SGD(generator.parameters(), lr=0.1)

    def setup_distributed(self, rank):
        self.critic = DistributedDataParallel(self.critic, device_ids=[rank])

    def generator_step(self, z, target):
        self.iteration += 1
        loss = torch.nn.functional.mse_loss(self.generator(z), target) / self.accum_steps
        loss.backward()
        if self.iteration % self.accum_steps == 0:
            self.optimizer.step()
            self.optimizer.zero_grad()
