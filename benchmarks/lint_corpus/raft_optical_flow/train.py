import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch.cuda.amp import GradScaler

from raft import RAFT


def fetch_optimizer(args, model):
    optimizer = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wdecay, eps=args.epsilon)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, args.lr, args.num_steps + 100, pct_start=0.05,
                                              cycle_momentum=False, anneal_strategy="linear")
    return optimizer, scheduler


def sequence_loss(flow_preds, flow_gt, valid, gamma=0.8):
    raise NotImplementedError


def train(args):
    model = nn.DataParallel(RAFT(args), device_ids=args.gpus).cuda()
    model.train()
    train_loader = fetch_dataloader(args)
    optimizer, scheduler = fetch_optimizer(args, model)
    scaler = GradScaler(enabled=args.mixed_precision)
    total_steps = 0
    while total_steps <= args.num_steps:
        for image1, image2, flow, valid in train_loader:
            optimizer.zero_grad()
            flow_predictions = model(image1.cuda(), image2.cuda(), iters=args.iters)
            loss, metrics = sequence_loss(flow_predictions, flow.cuda(), valid.cuda(), args.gamma)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            scaler.step(optimizer)
            scheduler.step()
            scaler.update()
            total_steps += 1


def fetch_dataloader(args):
    raise NotImplementedError


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.00002)
    parser.add_argument("--num_steps", type=int, default=100000)
    parser.add_argument("--gpus", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--mixed_precision", action="store_true", help="use mixed precision")
    parser.add_argument("--iters", type=int, default=12)
    parser.add_argument("--wdecay", type=float, default=0.00005)
    parser.add_argument("--epsilon", type=float, default=1e-8)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.8)
    train(parser.parse_args())
