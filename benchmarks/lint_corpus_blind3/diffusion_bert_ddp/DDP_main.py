import argparse
import math
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW

from models.modeling_bert import BertForMaskedLM


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name_or_path", default="bert-base-uncased", type=str)
    parser.add_argument("--lr", default=5e-4, type=float)
    parser.add_argument("--epochs", default=3, type=int)
    parser.add_argument("--batch_size", default=64, type=int)
    return parser.parse_args()


def main(train_loader, compute_loss):
    args = parse_args()
    local_rank = int(os.environ["LOCAL_RANK"])
    dist.init_process_group(backend="nccl")
    model = BertForMaskedLM.from_pretrained(args.model_name_or_path).cuda(local_rank)
    model = DDP(model, device_ids=[local_rank], output_device=local_rank)
    optimizer = AdamW(model.parameters(), lr=args.lr)
    warmup_scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda=lambda n: n / 10000.0 + 1e-3 if n < 10000 else 100.0 / math.sqrt(n)
    )
    model.train()
    for epoch in range(args.epochs):
        for i, batch in enumerate(train_loader):
            metrics = compute_loss(model, batch)
            loss = metrics["loss"] / args.batch_size
            loss.backward()
            torch.nn.utils.clip_grad_value_(model.parameters(), 5)
            optimizer.step()
            model.zero_grad()
            optimizer.zero_grad()
            warmup_scheduler.step()
