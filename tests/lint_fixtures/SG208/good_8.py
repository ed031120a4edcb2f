# The same helper-wrapped DDP model, with the non-update micro-batches under no_sync().
import argparse
import contextlib

import torch
import torch.distributed as dist

parser = argparse.ArgumentParser()
parser.add_argument("--platform", default="local")
parser.add_argument("--local_rank", type=int, default=0)
parser.add_argument("--grad_acc", type=int, default=4)


def distributed_opt(args, model, opt):
    if args.platform in ("local", "k8s"):
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank])
    return model, opt


def train_epoch(model, optimizer, loader, args):
    model.train()
    for step, (x, y) in enumerate(loader, 1):
        is_update = step % args.grad_acc == 0
        sync = contextlib.nullcontext() if is_update else model.no_sync()
        with sync:
            loss = torch.nn.functional.cross_entropy(model(x), y)
            (loss / args.grad_acc).backward()
        if is_update:
            optimizer.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    args = parser.parse_args()
    dist.init_process_group("nccl")
    net = torch.nn.Linear(16, 4).cuda()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    net, optimizer = distributed_opt(args, net, optimizer)
    train_epoch(net, optimizer, [], args)
