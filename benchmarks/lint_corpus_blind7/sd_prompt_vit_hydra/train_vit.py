import timm
import torch
from torch import nn
from torch.optim import lr_scheduler


def train_one_epoch(model, optimizer, scheduler, dataloader, device, n_accumulate=1, epoch_length=1000):
    model.train()
    for step in range(epoch_length):
        data = next(iter(dataloader))
        input_ids = data["input_ids"].to(device)
        pixel_values = data["pixel_values"].to(device)
        loss = model(input_ids=input_ids, pixel_values=pixel_values, labels=input_ids).loss
        loss = loss / n_accumulate
        loss.backward()
        if (step + 1) % n_accumulate == 0:
            optimizer.step()
            optimizer.zero_grad()
            if scheduler is not None:
                scheduler.step()


def train(model, optimizer, scheduler, num_epochs, epoch_length, train_loader, device):
    criterion = nn.CosineEmbeddingLoss()
    for epoch in range(num_epochs):
        model.train()
        for step in range(epoch_length):
            X, y = next(iter(train_loader))
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            X_out = model(X)
            loss = criterion(X_out, y, torch.ones(X.size(0)).to(device))
            loss.backward()
            optimizer.step()
            scheduler.step()


def main(args):
    model = timm.create_model(args.model_name, pretrained=True, num_classes=384)
    model.set_grad_checkpointing()
    model.to(args.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.t_max, eta_min=args.min_lr)
    train(model, optimizer, scheduler, args.epochs, args.epoch_length, train_loader, args.device)
