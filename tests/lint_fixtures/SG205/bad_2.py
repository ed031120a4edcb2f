# OneCycleLR sized through a variable.
import torch.nn.functional as F
from torch.optim import SGD
from torch.optim.lr_scheduler import OneCycleLR


def main(args, model, train_loader):
    optimizer = SGD(model.parameters(), lr=args.lr, momentum=0.9)
    total_steps = len(train_loader) * args.epochs
    scheduler = OneCycleLR(optimizer, max_lr=args.lr, total_steps=total_steps)
    for epoch in range(args.epochs):
        for step, (x, y) in enumerate(train_loader):
            loss = F.cross_entropy(model(x), y) / args.accum
            loss.backward()
            if (step + 1) % args.accum == 0:
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
