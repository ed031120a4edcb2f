import torch

from src.train import train_one_epoch
from src.test import valid_one_epoch


def run_training(model, optimizer, scheduler, device, num_epochs, fold, train_loader, valid_loader, cfg):
    for epoch in range(1, num_epochs + 1):
        train_loss = train_one_epoch(model, optimizer, scheduler, dataloader=train_loader,
                                     device=cfg.device, epoch=epoch, cfg=cfg)
        val_loss, val_scores = valid_one_epoch(model, valid_loader, device=cfg.device, epoch=epoch,
                                               optimizer=optimizer, cfg=cfg)
        torch.save(model.state_dict(), f"last_epoch-{fold:02d}.bin")
    return model, None
