# The model's forward puts a sum of squares over its parameters in its output dict; the loop adds
# it to the loss while the optimizer already decays the same parameters.
import torch

LOSS = "loss"
LOSS_L2 = "loss_l2"


class Recommender(torch.nn.Module):
    def __init__(self, n_items, dim):
        super().__init__()
        self.items = torch.nn.Embedding(n_items, dim)

    def l2(self):
        total = 0.0
        for p in self.parameters():
            total = total + (p**2).sum()
        return total

    def forward(self, batch):
        out = {LOSS: self.items(batch["i"]).sum(-1).sigmoid().mean()}
        out[LOSS_L2] = self.l2()
        return out


def fit(model, batches, l2s=1e-4):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-5)
    for batch in batches:
        optimizer.zero_grad()
        out = model(batch)
        l2 = out[LOSS_L2]
        loss = out[LOSS] + l2 * l2s
        loss.backward()
        optimizer.step()
