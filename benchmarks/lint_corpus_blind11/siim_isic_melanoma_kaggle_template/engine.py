import torch
from torch.cuda.amp import GradScaler, autocast

import CFG


def train_fn(train_loader, model, criterion, optimizer, device):
    if CFG.apex:
        scaler = GradScaler()
    model.train()
    total = 0.0
    for step, (images, _meta, labels) in enumerate(train_loader):
        images, labels = images.to(device), labels.to(device)
        if CFG.apex:
            with autocast():
                loss = criterion(model(images), labels)
        else:
            loss = criterion(model(images), labels)
        total += loss.item()
        if CFG.gradient_accumulation_steps > 1:
            loss = loss / CFG.gradient_accumulation_steps
        if CFG.apex:
            scaler.scale(loss).backward()
        else:
            loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CFG.max_grad_norm)
        if (step + 1) % CFG.gradient_accumulation_steps == 0:
            if CFG.apex:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            optimizer.zero_grad()
        if step % CFG.print_freq == 0:
            print(step, loss.item(), float(grad_norm))
    return total / len(train_loader)
