import json

import torch
from monai.data import ThreadDataLoader
from monai.losses import DiceCELoss
from torch.optim import AdamW, lr_scheduler

from model.Harmonics import HarmonicSeg
from utils import Trainer, get_train_dataset, get_val_dataset


def training(model_params, train_params):
    device = torch.device("cuda")
    train_loader = ThreadDataLoader(get_train_dataset(train_params), batch_size=train_params["batch_size"], shuffle=True)
    val_loader = ThreadDataLoader(get_val_dataset(train_params), batch_size=1)

    model = HarmonicSeg(model_params)
    optimizer = AdamW(model.parameters(), lr=train_params["learning_rate"], weight_decay=train_params["weight_decay"])
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=train_params["epochs"])
    criterion = DiceCELoss(include_background=False, to_onehot_y=True, softmax=True)

    trainer = Trainer(model, optimizer, criterion, scheduler, train_params, device)
    trainer.train(train_loader, val_loader)


if __name__ == "__main__":
    model_params = json.load(open("configs/model/base.json"))
    train_params = {
        "epochs": 100,
        "batch_size": 2,
        "aggregation": 4,
        "learning_rate": 1e-3,
        "weight_decay": 1e-2,
        "num_classes": 14,
        "autocast": True,
    }
    training(model_params, train_params)
