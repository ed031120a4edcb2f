import torch


def train(device, model, loss_function, optimizer, scheduler, train_dataloader, epochs=10):
    for epoch in range(epochs):
        model.train()
        running_loss = 0
        for batch in train_dataloader:
            image, label = batch["flair"].to(device), batch["seg"].to(device)
            optimizer.zero_grad()
            outputs = model(image)
            loss = loss_function(outputs, label)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        scheduler.step()
    return model.state_dict()
