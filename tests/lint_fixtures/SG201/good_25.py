# The helper backpropagates a sum-reduced loss over the micro-batch; the caller divides every
# gradient by the batch's sample count once, before the step.
import torch
import torch.nn.functional as F


class Trainer:
    def __init__(self, model, optimizer, micro_batch_size):
        self.model = model
        self.optimizer = optimizer
        self.micro_batch_size = micro_batch_size

    def _loss_and_backward(self, x, y):
        loss = F.cross_entropy(self.model(x), y, reduction="sum")
        loss.backward()
        return loss

    def training_step(self, x, y):
        self.optimizer.zero_grad()
        for xs, ys in zip(x.split(self.micro_batch_size), y.split(self.micro_batch_size)):
            self._loss_and_backward(xs, ys)
        for p in self.model.parameters():
            if p.grad is not None:
                p.grad /= x.shape[0]
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
