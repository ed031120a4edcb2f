import torch

import config as CFG
from CLIP import CLIPModel
from dataset import build_loaders


def train_epoch(model, train_loader, optimizer, lr_scheduler, step):
    for batch in train_loader:
        batch = {k: v.to(CFG.device) for k, v in batch.items() if k != "caption"}
        loss = model(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == "batch":
            lr_scheduler.step()


def main():
    train_loader, valid_loader = build_loaders()
    model = CLIPModel().to(CFG.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=CFG.lr, weight_decay=CFG.weight_decay)
    lr_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", patience=CFG.patience, factor=CFG.factor)
    step = "epoch"
    for _epoch in range(CFG.epochs):
        model.train()
        train_epoch(model, train_loader, optimizer, lr_scheduler, step)
        model.eval()


if __name__ == "__main__":
    main()
