# A multi-task step: one batch per task, each task's mean loss backpropagated, then one step. The
# objective is the sum of the task losses; the loop is over tasks, not over micro-batches of one
# batch, so there is no window to divide by.
import torch.nn.functional as F


class MultiTaskTrainer:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer

    def training_step(self, batches):
        self.optimizer.zero_grad()
        for task, (x, y) in batches.items():
            loss = F.cross_entropy(self.model(x, task=task), y)
            loss.backward()
        self.optimizer.step()
