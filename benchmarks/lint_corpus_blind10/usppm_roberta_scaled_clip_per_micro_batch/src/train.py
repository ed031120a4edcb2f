import torch


def train_fn(fold, train_loader, model, criterion, optimizer, epoch, scheduler, device, CFG):
    model.train()
    scaler = torch.cuda.amp.GradScaler(enabled=CFG["apex"])
    global_step = 0
    for step, (inputs, labels) in enumerate(train_loader):
        for k, v in inputs.items():
            inputs[k] = v.to(device)
        labels = labels.to(device)
        with torch.cuda.amp.autocast(enabled=CFG["apex"]):
            y_preds = model(inputs)
        loss = criterion(y_preds.view(-1, 1), labels.view(-1, 1))
        if CFG["gradient_accumulation_steps"] > 1:
            loss = loss / CFG["gradient_accumulation_steps"]
        scaler.scale(loss).backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CFG["max_grad_norm"])
        if (step + 1) % CFG["gradient_accumulation_steps"] == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            global_step += 1
            if CFG["batch_scheduler"]:
                scheduler.step()
    return grad_norm
