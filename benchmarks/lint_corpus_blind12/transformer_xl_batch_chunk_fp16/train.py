"""Paraphrase of pytorch/train.py (kimiyoung/transformer-xl): the optimizer, scheduler and train()."""
import argparse

import torch
import torch.nn as nn
import torch.optim as optim

from mem_transformer import MemTransformerLM
from utils.fp16_opt import FP16_Optimizer

parser = argparse.ArgumentParser()
parser.add_argument("--optim", default="adam", type=str, choices=["adam", "sgd", "adagrad"])
parser.add_argument("--lr", type=float, default=0.00025)
parser.add_argument("--mom", type=float, default=0.0)
parser.add_argument("--scheduler", default="cosine", type=str)
parser.add_argument("--warmup_step", type=int, default=0)
parser.add_argument("--max_step", type=int, default=100000)
parser.add_argument("--eta_min", type=float, default=0.0)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--batch_chunk", type=int, default=1)
parser.add_argument("--fp16", action="store_true")
parser.add_argument("--multi_gpu", action="store_true")
args = parser.parse_args()

model = MemTransformerLM(267735, 16, 10, 410, 41, 2100)
para_model = nn.DataParallel(model, dim=1) if args.multi_gpu else model

if args.optim.lower() == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.mom)
elif args.optim.lower() == "adam":
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
elif args.optim.lower() == "adagrad":
    optimizer = optim.Adagrad(model.parameters(), lr=args.lr)

if args.scheduler == "cosine":
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, args.max_step, eta_min=args.eta_min)

if args.fp16:
    optimizer = FP16_Optimizer(optimizer, dynamic_loss_scale=True, dynamic_loss_args={"init_scale": 2 ** 16})

train_step = 0


def train(train_iter):
    global train_step
    model.train()
    mems = [tuple() for _ in range(args.batch_chunk)] if args.batch_chunk > 1 else tuple()
    for batch, (data, target, seq_len) in enumerate(train_iter):
        model.zero_grad()
        if args.batch_chunk > 1:
            data_chunks = torch.chunk(data, args.batch_chunk, 1)
            target_chunks = torch.chunk(target, args.batch_chunk, 1)
            for i in range(args.batch_chunk):
                ret = para_model(data_chunks[i].contiguous(), target_chunks[i].contiguous(), *mems[i])
                loss, mems[i] = ret[0], ret[1:]
                loss = loss.float().mean().type_as(loss) / args.batch_chunk
                if args.fp16:
                    optimizer.backward(loss)
                else:
                    loss.backward()
        else:
            ret = para_model(data, target, *mems)
            loss, mems = ret[0], ret[1:]
            loss = loss.float().mean().type_as(loss)
            if args.fp16:
                optimizer.backward(loss)
            else:
                loss.backward()

        if args.fp16:
            optimizer.clip_master_grads(args.clip)
        else:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)

        optimizer.step()

        train_step += 1
        if args.scheduler in ["cosine", "constant", "dev_perf"]:
            if train_step < args.warmup_step:
                optimizer.param_groups[0]["lr"] = args.lr * train_step / args.warmup_step
            elif args.scheduler == "cosine":
                scheduler.step(train_step)
        if train_step == args.max_step:
            break
