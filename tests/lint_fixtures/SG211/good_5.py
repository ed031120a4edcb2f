# The GradScaler steps inside the epoch function's loop; the scheduler is stepped once per epoch
# after it. A skipped step does not shift an epoch count: not SG211.
import torch


def train_one_epoch(model, loader, criterion, optimizer, scaler):
    for x, y in loader:
        with torch.autocast("cuda"):
            loss = criterion(model(x), y)
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


def main(model, loader, criterion, epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
    scaler = torch.amp.GradScaler("cuda")
    for _ in range(epochs):
        train_one_epoch(model, loader, criterion, optimizer, scaler)
        scheduler.step()
