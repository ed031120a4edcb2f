import argparse

import torch
import torch.nn as nn

from architect import Architect
from model_search import Network

parser = argparse.ArgumentParser("cifar")
parser.add_argument("--learning_rate", type=float, default=0.025)
parser.add_argument("--learning_rate_min", type=float, default=0.001)
parser.add_argument("--momentum", type=float, default=0.9)
parser.add_argument("--weight_decay", type=float, default=3e-4)
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--grad_clip", type=float, default=5)
parser.add_argument("--arch_learning_rate", type=float, default=3e-4)
parser.add_argument("--arch_weight_decay", type=float, default=1e-3)
args = parser.parse_args()


def main():
    criterion = nn.CrossEntropyLoss().cuda()
    model = Network(16, 10, 8, criterion).cuda()
    optimizer = torch.optim.SGD(model.parameters(), args.learning_rate, momentum=args.momentum,
                                weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, float(args.epochs), eta_min=args.learning_rate_min)
    architect = Architect(model, args)
    train_queue, search_queue = make_queues()
    for epoch in range(args.epochs):
        scheduler.step()
        train(train_queue, search_queue, model, architect, criterion, optimizer)


def train(train_queue, search_queue, model, architect, criterion, optimizer):
    for step, (input, target) in enumerate(train_queue):
        model.train()
        input_search, target_search = next(iter(search_queue))
        architect.step(input_search.cuda(), target_search.cuda())
        optimizer.zero_grad()
        loss = criterion(model(input.cuda()), target.cuda())
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()


def make_queues():
    raise NotImplementedError


if __name__ == "__main__":
    main()
