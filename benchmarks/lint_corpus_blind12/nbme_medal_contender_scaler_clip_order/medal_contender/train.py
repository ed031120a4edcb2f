"""Paraphrase of nbme/medal_contender/train.py: train_fn (the Kaggle NBME training loop)."""
import torch
from torch.cuda.amp import GradScaler, autocast


def train_fn(CFG, train_loader, model, criterion, optimizer, epoch, scheduler, device):
    model.train()
    scaler = GradScaler(enabled=CFG.train_param.apex)
    global_step = 0
    for step, (inputs, labels) in enumerate(train_loader):
        with autocast(enabled=CFG.train_param.apex):
            y_preds = model(inputs)
        loss = criterion(y_preds.view(-1, 1), labels.view(-1, 1))
        loss = torch.masked_select(loss, labels.view(-1, 1) != -1).mean()
        if CFG.train_param.gradient_accumulation_steps > 1:
            loss = loss / CFG.train_param.gradient_accumulation_steps
        scaler.scale(loss).backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CFG.train_param.max_grad_norm)
        if (step + 1) % CFG.train_param.gradient_accumulation_steps == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            global_step += 1
            if CFG.train_param.batch_scheduler:
                scheduler.step()
    return grad_norm
