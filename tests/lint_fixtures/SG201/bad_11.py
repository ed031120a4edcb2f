# The window is a method run once per micro-batch: it backpropagates the loss it is given on
# every call and steps every `accumulate` calls. The caller passes the undivided criterion loss
# (returned as a tuple by another method).
import torch


class Trainer:
    def __init__(self, net, criterion, optimizer, accumulate):
        self.net = net
        self.criterion = criterion
        self.optimizer = optimizer
        self.accumulate = accumulate

    def train_epoch(self, loader, epoch):
        self.net.train()
        for batch_idx, (inputs, targets) in enumerate(loader):
            loss, parts = self.losses(self.net(inputs), targets)
            self.backward_step(loss, epoch, batch_idx, len(loader))

    def losses(self, outputs, targets):
        loss = self.criterion(outputs, targets)
        if isinstance(loss, tuple):
            loss, parts = loss
        else:
            parts = loss.detach()
        return loss, parts

    def backward_step(self, loss, epoch, batch_idx, n_batches):
        loss.backward()
        global_step = batch_idx + 1 + n_batches * epoch
        if global_step % self.accumulate == 0:
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
            self.optimizer.step()
            self.optimizer.zero_grad()
