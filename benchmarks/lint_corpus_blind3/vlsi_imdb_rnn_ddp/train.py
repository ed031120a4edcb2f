import argparse

import torch
import torch.distributed as dist
from torch.nn import CrossEntropyLoss
from torch.nn.parallel import DistributedDataParallel
from torch.optim import SGD, Adam
from torch.optim.lr_scheduler import CosineAnnealingLR, StepLR

from net import SentenceClassifier

parser = argparse.ArgumentParser()
parser.add_argument("--is_ddp", type=bool, default=False)
parser.add_argument("--is_amp", type=bool, default=False)
parser.add_argument("--optimizer", type=str, default="Adam")
parser.add_argument("--lr_scheduler", type=str, default="Step")
parser.add_argument("--step_size", type=int, default=1)
parser.add_argument("--gamma", type=float, default=0.1)
parser.add_argument("--learning_rate", type=float, default=1e-3)
parser.add_argument("--epoch", type=int, default=10)
args = parser.parse_args()


def get_optimizer():
    if args.optimizer == "SGD":
        return SGD
    elif args.optimizer == "Adam":
        return Adam
    raise ValueError(args.optimizer)


def main(train_loader, train_sampler, vocab_size, device):
    net = SentenceClassifier(vocab_size).to(device)
    if args.is_ddp:
        dist.init_process_group("nccl")
        net = DistributedDataParallel(net)
    criterion = CrossEntropyLoss()
    optimizer_type = get_optimizer()
    optimizer = optimizer_type(net.parameters(), lr=args.learning_rate)
    scheduler = StepLR(optimizer, step_size=args.step_size, gamma=args.gamma) if args.lr_scheduler == "Step" else CosineAnnealingLR(optimizer, T_max=args.step_size)
    scaler = torch.cuda.amp.GradScaler() if args.is_amp else None

    for epoch in range(args.epoch):
        if args.is_ddp:
            train_sampler.set_epoch(epoch)
        net.train()
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            if scaler is not None:
                with torch.cuda.amp.autocast():
                    outputs = net(inputs.to(device))
                    loss = criterion(outputs, labels.to(device))
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                outputs = net(inputs.to(device))
                loss = criterion(outputs, labels.to(device))
                loss.backward()
                optimizer.step()
        scheduler.step()
