import torch


def train(epoch, device, model, train_dataloader, accumulation_steps, optimizer, criterion):
    model.train(True)
    running_loss = 0.0
    optimizer.zero_grad()
    total_batches = len(train_dataloader)
    for itr, batch in enumerate(train_dataloader):
        images, targets = batch
        outputs = model(images.to(device))
        loss = criterion(outputs, targets.to(device))
        loss = loss / accumulation_steps
        loss.backward()
        if (itr + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        running_loss += loss.item()
    torch.cuda.empty_cache()
    return running_loss * accumulation_steps / total_batches
