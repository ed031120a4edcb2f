# A trainer loop whose step guard is a predicate method: should_step(i) returns the window test.
# The batch loss is backpropagated undivided.
import torch


class Trainer:
    def __init__(self, model, loader, accum=8):
        self.model = model
        self.loader = loader
        self.accum = accum
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def should_step(self, i):
        return (i + 1) % self.accum == 0

    def fit(self):
        for i, (x, y) in enumerate(self.loader):
            loss = torch.nn.functional.cross_entropy(self.model(x), y)
            loss.backward()
            if self.should_step(i):
                self.optimizer.step()
                self.optimizer.zero_grad()
