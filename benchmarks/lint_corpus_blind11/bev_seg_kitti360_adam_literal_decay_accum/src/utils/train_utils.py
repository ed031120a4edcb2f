from torch.cuda import amp


def train_model(model, train_loader, criterion1, config, epoch, optimizer, scaler=None, scheduler=None):
    model.train()
    total_loss = 0.0
    for i, (img_batch, y_batch) in enumerate(train_loader):
        img_batch1 = img_batch.cuda().float()
        y_batch = y_batch.cuda().float()
        if config.scale:
            with amp.autocast():
                output1 = model(img_batch1)
                loss = criterion1(output1, y_batch) / config.accumulation_steps
        else:
            output1 = model(img_batch1)
            loss = criterion1(output1, y_batch) / config.accumulation_steps
        total_loss += loss.item() * config.accumulation_steps

        if config.scale:
            scaler.scale(loss).backward()
        else:
            loss.backward()

        if (i + 1) % config.accumulation_steps == 0:
            if config.scale:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            optimizer.zero_grad()

        if scheduler is not None:
            lr = scheduler.get_lr((epoch * len(train_loader)) + (i + 1))
            optimizer.param_groups[0]["lr"] = config.lr * lr
    return total_loss / len(train_loader)
