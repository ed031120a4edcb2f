import numpy as np
import torch.nn as nn
import torch.optim as optim


class CosineWarmupLR(optim.lr_scheduler._LRScheduler):
    def __init__(self, optimizer, warmup, max_iters):
        self.warmup = warmup
        self.max_num_iters = max_iters
        super().__init__(optimizer)

    def get_lr(self):
        factor = 0.5 * (1 + np.cos(np.pi * self.last_epoch / self.max_num_iters))
        if self.last_epoch <= self.warmup:
            factor *= self.last_epoch / self.warmup
        return [base * factor for base in self.base_lrs]


def init_training(model, args):
    criterion = nn.CrossEntropyLoss(reduction="mean")
    if args.optim == "sgd":
        optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    elif args.optim == "adam":
        optimizer = optim.Adam(model.parameters(), lr=args.lr)
    else:
        raise ValueError("optimizer is invalid (sgd, adam)!")
    if args.scheduler is None:
        scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=args.max_epochs)
    elif args.scheduler == "cosine":
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.scheduler_time, eta_min=0.1 * args.lr)
    elif args.scheduler == "warmup":
        scheduler = CosineWarmupLR(optimizer, args.scheduler_time, max_iters=args.max_epochs)
    return criterion, optimizer, scheduler
