accumulation_steps = 8


def run(model, data_loader, criterion, optimizer, device):
    for batch_idx, (inputs, targets) in enumerate(data_loader):
        preds = model(inputs.to(device))
        loss = criterion(preds, targets.to(device))
        loss = loss / accumulation_steps
        loss.backward()
        if ((batch_idx + 1) % accumulation_steps == 0) or (batch_idx + 1 == len(data_loader)):
            optimizer.step()
            optimizer.zero_grad()
