# Explicit L2 penalties written two other ways, while AdamW already decays: the parameters
# flattened into one vector and squared, and a loop that sums the squared norms of the weights
# only (the accumulation sits under an `if`).
import torch
import torch.nn.functional as F


def train(model, loader, l2_lambda=1e-4):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        flat = torch.cat([p.view(-1) for p in model.parameters()])
        loss = loss + l2_lambda * flat.pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def train_weights(model, loader, l2_lambda=1e-4):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        l2 = torch.zeros(())
        for name, param in model.named_parameters():
            if name.endswith("weight"):
                l2 += torch.norm(param, 2) ** 2
        loss = loss + l2_lambda * l2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
