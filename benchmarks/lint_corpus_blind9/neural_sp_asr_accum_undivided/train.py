import argparse

import torch

from neural_sp.models.seq2seq.speech2text import Speech2Text
from neural_sp.trainers.lr_scheduler import LRScheduler
from neural_sp.trainers.optimizer import set_optimizer


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--optimizer", type=str, default="adam")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight_decay", type=float, default=0)
    parser.add_argument("--warmup_n_steps", type=int, default=0)
    parser.add_argument("--accum_grad_n_steps", type=int, default=1)
    parser.add_argument("--clip_grad_norm", type=float, default=5.0)
    parser.add_argument("--n_epochs", type=int, default=25)
    return parser.parse_args()


def main(train_set, reporter, tasks=("all",)):
    args = parse_args()
    model = Speech2Text(args)
    optimizer = set_optimizer(model, args.optimizer, args.lr, args.weight_decay)
    optimizer = LRScheduler(optimizer, args.lr, warmup_n_steps=args.warmup_n_steps)
    model = torch.nn.DataParallel(model).cuda()
    accum_n_steps = 0
    while True:
        batch_train, is_new_epoch = train_set.next()
        accum_n_steps += 1
        for task in tasks:
            loss, observation = model(batch_train, task)
            reporter.add(observation)
            loss.backward()
            loss.detach()
            if args.accum_grad_n_steps == 1 or accum_n_steps >= args.accum_grad_n_steps:
                if args.clip_grad_norm > 0:
                    total_norm = torch.nn.utils.clip_grad_norm_(model.module.parameters(), args.clip_grad_norm)
                optimizer.step()
                optimizer.zero_grad()
                accum_n_steps = 0
            del loss
        if is_new_epoch:
            optimizer.epoch()
            if optimizer.n_epochs == args.n_epochs:
                break
