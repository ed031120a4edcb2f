import argparse

import torch
import torch.optim as optim
from torchvision import models

from loss import ce_loss


def train(opt):
    train_dataloader = torch.utils.data.DataLoader(opt.dataset, batch_size=opt.batch_size, shuffle=True, drop_last=True)
    model = models.segmentation.deeplabv3_resnet101(num_classes=2)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.device_count() > 1:
        model = torch.nn.DataParallel(model)
    model.to(device)
    optimizer = optim.Adam(model.parameters(), lr=3e-4)
    scaler = torch.cuda.amp.GradScaler() if torch.cuda.is_available() else None
    lr_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=5)
    for epoch in range(opt.epochs):
        epoch_loss = train_one_epoch(train_dataloader, model, optimizer, device, scaler)
        lr_scheduler.step(epoch_loss)


def train_one_epoch(train_dataloader, model, optimizer, device, scaler=None):
    model.train()
    losses = []
    for imgs, targets in train_dataloader:
        imgs, targets = imgs.to(device), targets.to(device)
        optimizer.zero_grad()
        if scaler is None:
            loss = ce_loss(model(imgs)["out"], targets)
            loss.backward()
            optimizer.step()
        else:
            with torch.cuda.amp.autocast():
                loss = ce_loss(model(imgs)["out"], targets)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        losses.append(loss.item())
    return torch.tensor(losses).mean().item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=16)
    train(parser.parse_args())
