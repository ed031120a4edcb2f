import argparse

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.functional import log_softmax
from torch.utils.data import DataLoader
from transformers import BartForConditionalGeneration, get_linear_schedule_with_warmup

from losses import label_smoothed_nll_loss, reduce_mean


def set_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", default=15, type=int)
    p.add_argument("--batch_size", default=2, type=int)
    p.add_argument("--weight_decay", default=0.01, type=float)
    p.add_argument("--lr", default=3e-5, type=float)
    p.add_argument("--adam_eps", default=1e-8, type=float)
    p.add_argument("--warmup_steps", default=500, type=int)
    p.add_argument("--label_smoothing", default=0.1, type=float)
    p.add_argument("--accumulate_grad_batches", default=4, type=int)
    return p.parse_args()


def train_epoch(model, train_loader, optimizer, scheduler, args, local_rank):
    model.train()
    for batch_idx, batch in enumerate(train_loader):
        labels = batch["labels"].cuda(local_rank)
        logits = model(input_ids=batch["input_ids"].cuda(local_rank), decoder_input_ids=batch["decoder_input_ids"].cuda(local_rank)).logits
        loss, _ = label_smoothed_nll_loss(log_softmax(logits, dim=-1), labels, args.label_smoothing, args.pad_token_id)
        loss = reduce_mean(loss, args.nprocs)
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()


def main_worker(local_rank, nprocs, args):
    dist.init_process_group(backend="nccl", init_method="tcp://127.0.0.1:2345", world_size=nprocs, rank=local_rank)
    model = BartForConditionalGeneration.from_pretrained("facebook/bart-large").cuda(local_rank)
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank])
    train_loader = DataLoader(args.train_dataset, batch_size=args.batch_size, shuffle=False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, eps=args.adam_eps)
    t_total = len(train_loader) // args.accumulate_grad_batches * args.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=args.warmup_steps, num_training_steps=t_total)
    for epoch in range(args.epochs):
        train_epoch(model, train_loader, optimizer, scheduler, args, local_rank)


if __name__ == "__main__":
    args = set_args()
    args.nprocs = torch.cuda.device_count()
    mp.spawn(main_worker, nprocs=args.nprocs, args=(args.nprocs, args))
