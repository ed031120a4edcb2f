from torch.optim import SGD

WD = 1e-4


def step(model, batch, criterion, optimizer):
    out = model(batch["x"])
    loss = criterion(out, batch["y"])
    loss += WD * sum(torch.norm(w) ** 2 for w in model.parameters())
    loss.backward()
    optimizer.step()


def main(model):
    return SGD([{"params": model.parameters(), "weight_decay": WD}], lr=0.1)
