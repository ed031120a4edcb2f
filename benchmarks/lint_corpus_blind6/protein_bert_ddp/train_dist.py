import argparse

import torch as pt
import torch.distributed as dist
from torch import nn, optim
from torch.nn.parallel import DistributedDataParallel as DDP

from data import SeqDataset, SeqSampler
from model import Transformer, evaluate

lr_init, lr_final = 1e-4, 5e-6
weight_decay = 1e-2
batchsize = 160
width, dimhead, numhead, depth = 256, 64, 8, 12


def param_group(ddp_model):
    pgrp0, pgrp1 = [], []
    for n, p in ddp_model.named_parameters():
        if n.endswith("weight"):
            pgrp1.append(p)
        else:
            pgrp0.append(p)
    return [{"params": pgrp0, "weight_decay": 0}, {"params": pgrp1, "weight_decay": weight_decay}]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--local_rank", type=int, default=0)
    parser.add_argument("--local_world_size", type=int, default=1)
    args = parser.parse_args()
    rank, world = args.local_rank, args.local_world_size
    dist.init_process_group(backend="nccl")
    pt.cuda.set_device(rank)
    dataloader = pt.utils.data.DataLoader(SeqDataset(), sampler=SeqSampler(rank=rank, world=world), num_workers=2)
    model = Transformer(width, dimhead, numhead, depth).cuda()
    ddp_model = DDP(model, device_ids=[rank])
    optimizer = optim.AdamW(param_group(ddp_model), lr=lr_init * batchsize * world / 100)
    scheduler = optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, 1, 2)
    schedsize = 2 * len(dataloader) // 8
    batch = 0
    ddp_model.train()
    for x, y, mask, pos in dataloader:
        if batch % schedsize == 0 and batch // schedsize >= 4:
            scheduler.step(batch // schedsize - 1)
        optimizer.zero_grad()
        _, ylst = ddp_model(x, pos)
        loss0, loss1 = evaluate(ylst, y.cuda(), mask.cuda())
        loss = loss1 + loss0 / 100
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
        optimizer.step()
        batch += 1
