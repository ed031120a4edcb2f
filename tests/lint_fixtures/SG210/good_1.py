# The catalog's fix: zero once, right after the step.
def train(model, loader, criterion, optimizer, accum_steps=4):
    for i, (x, y) in enumerate(loader):
        (criterion(model(x), y) / accum_steps).backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
