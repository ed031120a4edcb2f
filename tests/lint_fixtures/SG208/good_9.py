# A helper hands back a DeepSpeed engine, which accumulates itself (it all-reduces only at the
# boundary of `gradient_accumulation_steps`): no DistributedDataParallel to put under no_sync.
import argparse

import deepspeed
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--grad_acc", type=int, default=4)


def wrap(args, model, opt):
    engine, opt, _, _ = deepspeed.initialize(model=model, optimizer=opt, config={"gradient_accumulation_steps": args.grad_acc})
    return engine, opt


def train_epoch(model, optimizer, loader, args):
    for step, (x, y) in enumerate(loader, 1):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        (loss / args.grad_acc).backward()
        if step % args.grad_acc == 0:
            optimizer.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    args = parser.parse_args()
    net = torch.nn.Linear(16, 4)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    net, optimizer = wrap(args, net, optimizer)
    train_epoch(net, optimizer, [], args)
