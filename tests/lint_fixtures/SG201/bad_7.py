# An if/else on AMP inside the window: neither branch divides the loss.
import torch


def train(model, loader, optimizer, criterion, accum_steps=4, use_amp=True):
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp)
    for i, (x, y) in enumerate(loader):
        with torch.autocast("cuda", enabled=use_amp):
            loss = criterion(model(x), y)
        if use_amp:
            scaler.scale(loss).backward()
        else:
            loss.backward()
        if (i + 1) % accum_steps == 0:
            if use_amp:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            optimizer.zero_grad()
