import argparse

import torch
import torch.nn as nn
from torch import optim
from torch.utils.data import DataLoader, random_split

from eval import eval_net
from unet import UNet
from utils.dataset import BasicDataset


def train_net(net, device, epochs=5, batch_size=1, lr=0.001, val_percent=0.1, img_scale=0.5):
    dataset = BasicDataset("data/imgs/", "data/masks/", img_scale)
    n_val = int(len(dataset) * val_percent)
    train, val = random_split(dataset, [len(dataset) - n_val, n_val])
    train_loader = DataLoader(train, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val, batch_size=batch_size, shuffle=False, drop_last=True)
    optimizer = optim.RMSprop(net.parameters(), lr=lr, weight_decay=1e-8, momentum=0.9)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min" if net.n_classes > 1 else "max", patience=2)
    criterion = nn.CrossEntropyLoss() if net.n_classes > 1 else nn.BCEWithLogitsLoss()
    global_step = 0
    for epoch in range(epochs):
        net.train()
        for batch in train_loader:
            imgs = batch["image"].to(device=device, dtype=torch.float32)
            true_masks = batch["mask"].to(device=device)
            masks_pred = net(imgs)
            loss = criterion(masks_pred, true_masks)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_value_(net.parameters(), 0.1)
            optimizer.step()
            global_step += 1
            if global_step % (len(dataset) // (10 * batch_size)) == 0:
                val_score = eval_net(net, val_loader, device)
                scheduler.step(val_score)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-e", "--epochs", type=int, default=5, dest="epochs")
    parser.add_argument("-b", "--batch-size", type=int, default=1, dest="batchsize")
    parser.add_argument("-l", "--learning-rate", type=float, default=0.1, dest="lr")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = UNet(n_channels=3, n_classes=1, bilinear=True)
    net.to(device=device)
    train_net(net=net, epochs=args.epochs, batch_size=args.batchsize, lr=args.lr, device=device)
