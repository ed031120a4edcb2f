import torch
from torch.cuda import amp

from utils.loss_func import criterion


def train_one_epoch(model, optimizer, scheduler, dataloader, device, epoch, cfg):
    model.train()
    scaler = amp.GradScaler()
    running_loss, dataset_size = 0.0, 0
    for step, (images, masks) in enumerate(dataloader):
        images = images.to(device, dtype=torch.float)
        masks = masks.to(device, dtype=torch.float)
        batch_size = images.size(0)

        with amp.autocast(enabled=True):
            y_pred = model(images)
            loss = criterion(y_pred, masks)
            loss = loss / cfg.n_accumulate

        scaler.scale(loss).backward()

        if (step + 1) % cfg.n_accumulate == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            if scheduler is not None:
                scheduler.step()

        running_loss += loss.item() * batch_size
        dataset_size += batch_size
    return running_loss / dataset_size
