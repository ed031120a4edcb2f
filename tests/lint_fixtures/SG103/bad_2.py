import torch


def train(model, loader, criterion):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)
    for inputs, targets in loader:
        loss = criterion(model(inputs), targets)
        reg = 0.0
        for name, param in model.named_parameters():
            reg = reg + param.pow(2).sum()
        loss = loss + 1e-5 * reg
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
