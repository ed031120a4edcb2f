def train(model, dataloader, accumulation, criterion, optimizer, scheduler):
    model.train()
    optimizer.zero_grad()
    running_loss = 0.0
    for batch_idx, (inputs, targets) in enumerate(dataloader):
        loss = criterion(model(inputs), targets)
        running_loss += loss.item()
        loss /= accumulation
        loss.backward()
        if (batch_idx + 1) % accumulation == 0:
            optimizer.step()
            optimizer.zero_grad()
    scheduler.step()
    return running_loss / (batch_idx + 1)
