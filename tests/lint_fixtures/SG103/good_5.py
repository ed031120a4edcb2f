# Two training functions in one file: the one with the explicit L2 penalty uses Adam without any
# weight decay (the penalty is the only regulariser); the one whose AdamW decays adds no penalty.
import torch
import torch.nn.functional as F


def train_with_penalty(model, loader, l2_lambda=1e-4):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        loss = loss + l2_lambda * sum(p.pow(2).sum() for p in model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def train_decoupled(model, loader):
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    decay = [p for p in model.parameters() if p.ndim >= 2]
    optimizer = torch.optim.AdamW([{"params": decay}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3, weight_decay=0.05)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
