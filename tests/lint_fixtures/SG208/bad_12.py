# A trainer whose window is a method run once per batch; the DDP forward runs in the caller's
# loop and no micro-batch skips the all-reduce.
from torch.nn.parallel import DistributedDataParallel


class Trainer:
    def __init__(self, net, criterion, optimizer, batch_accumulate, local_rank):
        self.net = DistributedDataParallel(net, device_ids=[local_rank])
        self.criterion = criterion
        self.optimizer = optimizer
        self.batch_accumulate = batch_accumulate

    def train_epoch(self, loader):
        for batch_idx, (inputs, targets) in enumerate(loader):
            loss = self.criterion(self.net(inputs), targets) / self.batch_accumulate
            self.backward_step(loss, batch_idx)

    def backward_step(self, loss, batch_idx):
        loss.backward()
        if (batch_idx + 1) % self.batch_accumulate == 0:
            self.optimizer.step()
            self.optimizer.zero_grad()
