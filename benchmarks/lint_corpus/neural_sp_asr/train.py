import sys

import torch

from args import parse_args_train
from trainers.lr_scheduler import LRScheduler
from trainers.optimizer import set_optimizer


def main():
    args = parse_args_train(sys.argv[1:])
    model = build_model(args)
    optimizer = set_optimizer(model, args.optimizer, args.lr, args.weight_decay)
    optimizer = LRScheduler(optimizer, args.lr, warmup_n_steps=4000)
    train_set = build_set(args)
    tasks = ["all"]
    accum_n_steps = 0
    while True:
        batch_train, is_new_epoch = train_set.next()
        accum_n_steps += 1
        for task in tasks:
            loss, observation = model(batch_train, task)
            loss.backward()
            loss.detach()
            if args.accum_grad_n_steps == 1 or accum_n_steps >= args.accum_grad_n_steps:
                if args.clip_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(model.module.parameters(), args.clip_grad_norm)
                optimizer.step()
                optimizer.zero_grad()
                accum_n_steps = 0
            del loss
        if is_new_epoch and optimizer.n_epochs == 25:
            break


def build_model(args):
    raise NotImplementedError


def build_set(args):
    raise NotImplementedError
