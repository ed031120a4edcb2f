import torch.nn as nn
from torch import optim

from unet import UNet


def train_net(net, device, epochs=5, batch_size=1, lr=0.001):
    train_loader, val_loader = make_loaders(batch_size)
    optimizer = optim.RMSprop(net.parameters(), lr=lr, weight_decay=1e-8, momentum=0.9)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min" if net.n_classes > 1 else "max", patience=2)
    criterion = nn.CrossEntropyLoss() if net.n_classes > 1 else nn.BCEWithLogitsLoss()
    global_step = 0
    for epoch in range(epochs):
        net.train()
        for batch in train_loader:
            masks_pred = net(batch["image"].to(device))
            loss = criterion(masks_pred, batch["mask"].to(device))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_value_(net.parameters(), 0.1)
            optimizer.step()
            global_step += 1
            if global_step % 100 == 0:
                scheduler.step(evaluate(net, val_loader, device))


def make_loaders(batch_size):
    raise NotImplementedError


def evaluate(net, loader, device):
    raise NotImplementedError


if __name__ == "__main__":
    train_net(UNet(n_channels=3, n_classes=1), "cuda")
