import argparse

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.optim as optim

from model import Model

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", default=90, type=int)
parser.add_argument("-b", "--batch-size", default=256, type=int)
parser.add_argument("--wd", "--weight-decay", default=1e-4, type=float, dest="weight_decay")
parser.add_argument("--world-size", default=-1, type=int)
parser.add_argument("--multiprocessing-distributed", action="store_true")
parser.add_argument("--temperature", default=0.5, type=float)


def main():
    args = parser.parse_args()
    args.distributed = args.world_size > 1 or args.multiprocessing_distributed
    if args.multiprocessing_distributed:
        mp.spawn(main_worker, nprocs=2, args=(2, args))
    else:
        main_worker(None, 2, args)


def main_worker(gpu, ngpus_per_node, args):
    if args.distributed:
        dist.init_process_group(backend="nccl", world_size=args.world_size, rank=gpu)
    model = Model(128).cuda()
    if args.distributed:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[gpu])
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)
    train_loader = args.make_loader()
    for epoch in range(args.epochs):
        train(model, train_loader, optimizer, args)


def train(net, data_loader, train_optimizer, args):
    net.train()
    for pos_1, pos_2, target in data_loader:
        _, out_1 = net(pos_1.cuda(non_blocking=True))
        _, out_2 = net(pos_2.cuda(non_blocking=True))
        out = torch.cat([out_1, out_2], dim=0)
        sim = torch.exp(out @ out.t() / args.temperature)
        pos = torch.exp((out_1 * out_2).sum(-1) / args.temperature).repeat(2)
        loss = (-torch.log(pos / (sim.sum(-1) - sim.diagonal()))).mean()
        train_optimizer.zero_grad()
        loss.backward()
        train_optimizer.step()


if __name__ == "__main__":
    main()
