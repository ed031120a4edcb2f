# The same two code paths; the accumulation path runs the micro-batches that do not step under
# no_sync(), so gradients are all-reduced once per window.
import argparse
import contextlib

import torch
import torch.distributed as dist

parser = argparse.ArgumentParser()
parser.add_argument("--accum_steps", type=int, default=1)
parser.add_argument("--local_rank", type=int, default=0)


def train_one_epoch(args, model, criterion, loader, optimizer):
    model.train()
    optimizer.zero_grad()
    for idx, (x, y) in enumerate(loader):
        if args.accum_steps > 1:
            boundary = (idx + 1) % args.accum_steps == 0
            with contextlib.nullcontext() if boundary else model.no_sync():
                loss = criterion(model(x), y) / args.accum_steps
                loss.backward()
            if boundary:
                optimizer.step()
                optimizer.zero_grad()
        else:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    args = parser.parse_args()
    dist.init_process_group("nccl")
    net = torch.nn.Linear(32, 10).cuda()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net = torch.nn.parallel.DistributedDataParallel(net, device_ids=[args.local_rank])
    train_one_epoch(args, net, torch.nn.CrossEntropyLoss(), [], optimizer)
