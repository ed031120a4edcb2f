# The model's forward returns its loss in a dict; a regularizer method sums squared weights and
# the runner adds it, weighted by the same l2 value the optimizer decays with.
import torch


class Model(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.fc = torch.nn.Linear(n, 1)

    def l2(self):
        total = 0
        for p in self.parameters():
            total += (p**2).sum()
        return total

    def forward(self, batch):
        pred = self.fc(batch["x"]).view(-1)
        return {"pred": pred, "loss": torch.nn.functional.mse_loss(pred, batch["y"])}


def fit(model, batches, l2_weight=1e-4):
    groups = [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": l2_weight},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.SGD(groups, lr=0.01)
    for batch in batches:
        out = model(batch)
        loss = out["loss"] + model.l2() * l2_weight
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
