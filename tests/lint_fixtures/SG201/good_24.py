# One batch, several objectives: a loop backpropagates each term of the same batch (their sum is
# the objective), then one step. Not micro-batches: nothing to divide.
import torch.nn.functional as F


class MultiTaskTrainer:
    def __init__(self, model, heads, optimizer):
        self.model = model
        self.heads = heads
        self.optimizer = optimizer

    def training_step(self, x, targets):
        self.optimizer.zero_grad()
        features = self.model(x)
        losses = {name: F.cross_entropy(head(features), targets[name]) for name, head in self.heads.items()}
        for name, loss in losses.items():
            loss.backward(retain_graph=True)
        self.optimizer.step()
