from torch.cuda.amp import GradScaler, autocast


def run(model, loader_train, criterion, optimizer, device, epochs):
    scaler = GradScaler()
    for epoch in range(epochs):
        model.train()
        for i, (images, labels) in enumerate(loader_train):
            optimizer.zero_grad()
            with autocast():
                output = model(images.to(device))
                loss = criterion(output, labels.to(device))
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
