import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from data.dataset import load_arrow_datasets
from model.dinov2_model import get_model
from model.model_lora import apply_lora_to_dinov2


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    for imgs, labels in loader:
        imgs, labels = imgs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(imgs), labels)
        loss.backward()
        optimizer.step()


def main():
    device = torch.device("cuda")
    train_ds, val_ds, _ = load_arrow_datasets(data_dir="CellImageNet")
    loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    model = get_model(num_classes=37, freeze_backbone=True).to(device)
    model = apply_lora_to_dinov2(model, r=16, alpha=16).to(device)
    optimizer = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()), lr=1e-4, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(10):
        train_one_epoch(model, loader, optimizer, criterion, device)
        scheduler.step()


if __name__ == "__main__":
    main()
