# LoRA fine-tuning script: a helper decides the wrapping from the platform setting and returns the
# model with the optimizer; the training loop accumulates `grad_acc` micro-batches through the
# DDP model it is handed, and every backward all-reduces.
import argparse

import torch
import torch.distributed as dist

parser = argparse.ArgumentParser()
parser.add_argument("--platform", default="local")
parser.add_argument("--local_rank", type=int, default=0)
parser.add_argument("--grad_acc", type=int, default=4)


def distributed_opt(args, model, opt):
    if args.platform == "horovod":
        opt = args.hvd.DistributedOptimizer(opt, named_parameters=model.named_parameters())
    elif args.platform in ("local", "k8s"):
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank])
    return model, opt


def backward_and_step(loss, optimizer, is_update):
    loss.backward()
    if is_update:
        optimizer.step()
        optimizer.zero_grad()


def train_epoch(model, optimizer, loader, args):
    model.train()
    for step, (x, y) in enumerate(loader, 1):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        backward_and_step(loss / args.grad_acc, optimizer, step % args.grad_acc == 0)


if __name__ == "__main__":
    args = parser.parse_args()
    dist.init_process_group("nccl")
    net = torch.nn.Linear(16, 4).cuda()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    net, optimizer = distributed_opt(args, net, optimizer)
    train_epoch(net, optimizer, [], args)
