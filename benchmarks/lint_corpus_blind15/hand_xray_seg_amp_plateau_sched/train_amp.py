import torch
import yaml
from torch.utils.data import DataLoader

from dataloader import XRayDataset
from loss import create_criterion
from model import create_model
from optimizer import create_optim
from scheduler import create_sched

CLASSES = ["finger-1", "finger-2", "Trapezium", "Radius", "Ulna"]


def train(model, data_loader, val_fn, criterion, optimizer, scheduler, is_plateau, num_epochs, val_every):
    scaler = torch.cuda.amp.GradScaler(enabled=True)
    for epoch in range(num_epochs):
        model.train()
        for step, (images, masks) in enumerate(data_loader):
            images, masks = images.cuda(), masks.cuda()
            optimizer.zero_grad()
            with torch.cuda.amp.autocast(enabled=True):
                outputs = model(images)
                loss = criterion(outputs, masks)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        if (epoch + 1) % val_every == 0:
            dice = val_fn(model)
        if scheduler:
            if is_plateau:
                if (epoch + 1) % val_every == 0:
                    scheduler.step(dice)
            else:
                scheduler.step()


if __name__ == "__main__":
    with open("config.yaml", "r") as file:
        config = yaml.safe_load(file)
    train_loader = DataLoader(XRayDataset(config["DATA_ROOT"], is_train=True), batch_size=config["BATCH_SIZE"], shuffle=True, drop_last=True)
    model = create_model(config["TYPE"], config["MODEL"], config["ENCODER"], CLASSES)
    criterion = create_criterion(config["loss"]["name"])
    optimizer = create_optim(config["optimizer"]["name"], model, config["LR"], **(config["optimizer"]["params"] or {}))
    scheduler, is_plateau = None, False
    if config["scheduler"]["name"] != "":
        scheduler, is_plateau = create_sched(config["scheduler"]["name"], optimizer, config["NUM_EPOCHS"])
    train(model, train_loader, None, criterion, optimizer, scheduler, is_plateau, config["NUM_EPOCHS"], config["VAL_EVERY"])
