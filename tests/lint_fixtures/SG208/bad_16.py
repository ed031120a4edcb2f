# Fine-tuning script with two code paths chosen by the accumulation setting: a plain step per
# batch when it is 1, a window of `accum_steps` micro-batches otherwise. The model is always
# DistributedDataParallel, and the accumulation path never enters no_sync().
import argparse

import torch
import torch.distributed as dist

parser = argparse.ArgumentParser()
parser.add_argument("--accum_steps", type=int, default=1)
parser.add_argument("--local_rank", type=int, default=0)


def train_one_epoch(args, model, criterion, loader, optimizer):
    model.train()
    optimizer.zero_grad()
    for idx, (x, y) in enumerate(loader):
        outputs = model(x)
        if args.accum_steps > 1:
            loss = criterion(outputs, y) / args.accum_steps
            loss.backward()
            if (idx + 1) % args.accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        else:
            loss = criterion(outputs, y)
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
