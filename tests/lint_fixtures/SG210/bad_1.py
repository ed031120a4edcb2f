# The catalog's example: zero_grad() at the top of every micro-batch.
def train(model, loader, criterion, optimizer, accum_steps=4):
    for i, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        (criterion(model(x), y) / accum_steps).backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
