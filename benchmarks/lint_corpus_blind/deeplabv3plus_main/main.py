import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils import data

import network
import utils
from datasets import get_dataset


def get_argparser():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=str, default="voc", choices=["voc", "cityscapes"])
    parser.add_argument("--model", type=str, default="deeplabv3plus_mobilenet")
    parser.add_argument("--total_itrs", type=int, default=30e3)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--loss_type", type=str, default="cross_entropy", choices=["cross_entropy", "focal_loss"])
    parser.add_argument("--weight_decay", type=float, default=1e-4)
    parser.add_argument("--val_interval", type=int, default=100)
    return parser


def main():
    opts = get_argparser().parse_args()
    opts.num_classes = 21 if opts.dataset == "voc" else 19
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_dst, val_dst = get_dataset(opts)
    train_loader = data.DataLoader(train_dst, batch_size=opts.batch_size, shuffle=True, num_workers=4)

    model = network.modeling.__dict__[opts.model](num_classes=opts.num_classes)
    utils.set_bn_momentum(model.backbone, momentum=0.01)
    model = model.to(device)

    # backbone at 0.1x lr; both groups (BatchNorm weights and biases included) decayed
    optimizer = torch.optim.SGD(params=[
        {"params": model.backbone.parameters(), "lr": 0.1 * opts.lr},
        {"params": model.classifier.parameters(), "lr": opts.lr},
    ], lr=opts.lr, momentum=0.9, weight_decay=opts.weight_decay)
    scheduler = utils.PolyLR(optimizer, opts.total_itrs, power=0.9)

    criterion = nn.CrossEntropyLoss(ignore_index=255, reduction="mean")

    cur_itrs = 0
    cur_epochs = 0
    interval_loss = 0
    while cur_itrs < opts.total_itrs:
        model.train()
        cur_epochs += 1
        for (images, labels) in train_loader:
            cur_itrs += 1
            images = images.to(device, dtype=torch.float32)
            labels = labels.to(device, dtype=torch.long)

            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            interval_loss += loss.detach().cpu().numpy()
            if cur_itrs % 10 == 0:
                print(f"Epoch {cur_epochs}, Itrs {cur_itrs}/{opts.total_itrs}, Loss={interval_loss / 10}")
                interval_loss = 0.0
            scheduler.step()
            if cur_itrs >= opts.total_itrs:
                return


if __name__ == "__main__":
    main()
