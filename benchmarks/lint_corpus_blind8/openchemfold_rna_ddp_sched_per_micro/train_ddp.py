import argparse
import importlib
import os
import sys
from copy import copy

import pandas as pd
import torch
import torch.multiprocessing as mp
import transformers
from torch.cuda.amp import GradScaler, autocast
from torch.distributed import destroy_process_group, init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


def ddp_setup(rank, world_size):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = "12355"
    torch.cuda.set_device(rank)
    init_process_group(backend="nccl", rank=rank, world_size=world_size)


def trainer_fn(rank, world_size):
    sys.path.append("./configs/")
    parser = argparse.ArgumentParser(description="")
    parser.add_argument("-C", "--config", type=str, default="cfg")
    parser_args, other_args = parser.parse_known_args(sys.argv)
    cfg = copy(importlib.import_module(parser_args.config).cfg)
    CustomDataset = importlib.import_module(cfg.dataset).CustomDataset
    Net = importlib.import_module(cfg.model).Net
    batch_to_device = importlib.import_module(cfg.dataset).batch_to_device

    df = pd.read_parquet("datamount/train_data.parquet")
    train_dataset = CustomDataset(df, cfg, mode="train")
    train_sampler = DistributedSampler(train_dataset, num_replicas=world_size, rank=rank)
    train_dataloader = DataLoader(train_dataset, batch_size=cfg.batch_size, sampler=train_sampler, drop_last=True)

    model = Net(cfg).to(rank)
    model = DDP(model, device_ids=[rank], output_device=rank)
    model = torch.compile(model)

    total_steps = len(train_dataset)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = transformers.get_cosine_schedule_with_warmup(
        optimizer,
        num_warmup_steps=cfg.warmup * (total_steps // (cfg.batch_size * world_size)),
        num_training_steps=cfg.epochs * (total_steps // (cfg.batch_size * world_size)),
        num_cycles=0.5,
    )
    scaler = GradScaler()

    optimizer.zero_grad()
    i = 0
    for epoch in range(cfg.epochs):
        tr_it = iter(train_dataloader)
        model.train()
        for itr in range(len(train_dataloader)):
            i += 1
            data = next(tr_it)
            batch = batch_to_device(data, cfg.device)
            if cfg.mixed_precision:
                with autocast():
                    output_dict = model(batch)
            else:
                output_dict = model(batch)
            loss = output_dict["loss"]
            if cfg.grad_accumulation > 1:
                loss /= cfg.grad_accumulation
            if cfg.mixed_precision:
                scaler.scale(loss).backward()
                if i % cfg.grad_accumulation == 0:
                    if cfg.clip_grad > 0:
                        scaler.unscale_(optimizer)
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad()
            else:
                loss.backward()
                if i % cfg.grad_accumulation == 0:
                    if cfg.clip_grad > 0:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
                    optimizer.step()
                    optimizer.zero_grad()
            if scheduler is not None:
                scheduler.step()


def main(rank, world_size):
    ddp_setup(rank, world_size)
    trainer_fn(rank, world_size)
    destroy_process_group()


if __name__ == "__main__":
    world_size = torch.cuda.device_count()
    mp.spawn(main, args=(world_size,), nprocs=world_size, join=True)
