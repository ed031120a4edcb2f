# The DataLoader's batch size is divided by k, but len(loader) still counts micro-batches:
# the schedule is sized as if every micro-batch were an optimizer step.
import torch
from torch.utils.data import DataLoader


def train(args, model, dataset):
    micro_batch = args.batch_size // args.accum_steps
    loader = DataLoader(dataset, batch_size=micro_batch, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    total_steps = len(loader) * args.epochs
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=total_steps)
    for epoch in range(args.epochs):
        for i, (x, y) in enumerate(loader):
            loss = torch.nn.functional.cross_entropy(model(x), y) / args.accum_steps
            loss.backward()
            if (i + 1) % args.accum_steps == 0:
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
