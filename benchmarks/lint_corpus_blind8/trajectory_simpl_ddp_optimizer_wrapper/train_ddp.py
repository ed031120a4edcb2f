import argparse
import os

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader

from loader import Loader


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--features_dir", required=True, type=str)
    parser.add_argument("--train_batch_size", type=int, default=16)
    parser.add_argument("--train_epoches", type=int, default=10)
    parser.add_argument("--adv_cfg_path", required=True, type=str)
    return parser.parse_args()


def main():
    args = parse_arguments()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    dist.init_process_group(backend="nccl")
    device = torch.device("cuda", local_rank)
    world_size = dist.get_world_size()
    loader = Loader(args, device, is_ddp=True, world_size=world_size, local_rank=local_rank)
    (train_set, val_set), net, loss_fn, optimizer, evaluator = loader.load()
    train_sampler = torch.utils.data.distributed.DistributedSampler(train_set)
    dl_train = DataLoader(train_set, batch_size=args.train_batch_size, collate_fn=train_set.collate_fn, drop_last=True, sampler=train_sampler)
    for epoch in range(args.train_epoches):
        dl_train.sampler.set_epoch(epoch)
        net.train()
        for i, data in enumerate(dl_train):
            data_in = net.module.pre_process(data)
            out = net(data_in)
            loss_out = loss_fn(out, data)
            optimizer.zero_grad()
            loss_out["loss"].backward()
            lr = optimizer.step()
        optimizer.step_scheduler()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
