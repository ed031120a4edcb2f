# No GradScaler: a skipped step cannot happen, stepping the scheduler after it is right.
def train(model, loader, criterion, optimizer, scheduler):
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
