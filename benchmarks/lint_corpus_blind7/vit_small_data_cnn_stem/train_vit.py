import argparse
import math

import torch
from torch import nn
from torch.nn.utils import clip_grad_norm_


def train(dataloader, model, loss_fn, optim, scheduler, device):
    model.train()
    for batch_idx, (x, y) in enumerate(dataloader):
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        x, y_a, y_b, lam = mixup_data(x, y, alpha=0.2, device=device)
        optim.zero_grad()
        preds = model(x)
        loss = lam * loss_fn(preds, y_a) + (1 - lam) * loss_fn(preds, y_b)
        loss.backward()
        clip_grad_norm_(model.parameters(), max_norm=1.0)
        optim.step()
        scheduler.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = VIT().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=1e-3,
        weight_decay=0.001,
        betas=(0.9, 0.999),
        eps=1e-8,
    )

    def lr_lambda(step, total_steps=len(train_dataloader) * args.epochs, warmup_steps=21000):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lr_lambda)
    for epoch in range(args.epochs):
        train(train_dataloader, model, loss_fn, optimizer, scheduler, device=device)


if __name__ == "__main__":
    main()
