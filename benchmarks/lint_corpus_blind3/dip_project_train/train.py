import argparse

import torch

import network


def train(args, train_batches, loss_fn, device):
    net = getattr(network, args.model)(num_classes=args.out_dim).to(device)

    params = net.parameters()
    if args.optimizer == "adam":
        optimizer = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), weight_decay=args.weight_decay)
    elif args.optimizer == "sgd":
        optimizer = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=args.weight_decay)

    lr_decay = dict(zip(args.lr_decay_epochs, args.lr_decay_values))
    net.train()
    for epoch in range(args.n_epochs):
        if epoch in lr_decay:
            for group in optimizer.param_groups:
                group["lr"] = lr_decay[epoch]
        for images, labels in train_batches:
            output = net(images.to(device))
            loss = loss_fn(output, labels.view(-1, 1).float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--n_epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--lr_decay_epochs", nargs="+", type=int, default=[])
    parser.add_argument("--lr_decay_values", nargs="+", type=float, default=[])
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--out_dim", type=int, default=1)
    parser.add_argument("--model", type=str, default="ResNet34")
    args = parser.parse_args()
    train(args, [], None, "cpu")
