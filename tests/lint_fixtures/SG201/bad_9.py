# A counter and `continue`: the optimizer steps once the counter reaches k.
def train(model, loader, optimizer, criterion, accum=8):
    count = 0
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        count += 1
        if count < accum:
            continue
        optimizer.step()
        optimizer.zero_grad()
        count = 0
