# The same factory, but one caller hands it the param groups of a split: the linter cannot say every
# call passes all parameters, so it stays silent.
import torch


def build_optimizer(cfg, params):
    return torch.optim.AdamW(params=params, lr=float(cfg["lr"]), weight_decay=0.05)


def train(cfg, model, loader):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = build_optimizer(cfg, groups)
    for x, y in loader:
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
