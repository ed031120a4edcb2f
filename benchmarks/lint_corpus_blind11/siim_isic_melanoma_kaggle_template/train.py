import torch
import torch.nn as nn
from torch.optim import Adam
from torch.optim.lr_scheduler import CosineAnnealingLR

import CFG
import dataset
import engine
import Models

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def train_loop(folds, fold):
    train_ds = dataset.SIIMISICDataset(csv=folds[folds["fold"] != fold], mode="train", transform=dataset.get_transforms(data="train"))
    loader = torch.utils.data.DataLoader(train_ds, batch_size=CFG.batch_size, shuffle=True)

    model = Models.CustomModel(CFG).to(device)
    optimizer = Adam(model.parameters(), lr=CFG.lr, weight_decay=CFG.weight_decay)
    scheduler = CosineAnnealingLR(optimizer, **CFG.cosanneal_params)
    criterion = nn.CrossEntropyLoss()

    for _epoch in range(CFG.epochs):
        engine.train_fn(loader, model, criterion, optimizer, device)
        scheduler.step()
