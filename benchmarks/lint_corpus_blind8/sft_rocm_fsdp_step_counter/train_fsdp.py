import argparse
import os
import random

import torch
import torch.distributed as dist
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.nn.utils import clip_grad_norm_
from transformers import AutoModelForCausalLM, AutoTokenizer


def setup_dist():
    dist.init_process_group(backend="nccl")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    torch.cuda.set_device(local_rank)
    return local_rank, torch.device("cuda", local_rank)


def train(args):
    rank, device = setup_dist()
    tok = AutoTokenizer.from_pretrained(args.model_name_or_path, use_fast=True)
    dtype = torch.bfloat16 if args.bf16 else torch.float16 if args.fp16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path, dtype=dtype)
    model = FSDP(model, device_id=int(os.environ.get("LOCAL_RANK", 0)))

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    scaler = None

    ds = JsonlSFTDataset(args.train_json)
    indices = list(range(len(ds)))
    random.shuffle(indices)
    steps = 0
    model.train()
    it = 0
    while steps < args.max_steps:
        batch_samples = []
        while len(batch_samples) < args.micro_batch_size:
            batch_samples.append(ds[indices[it % len(indices)]])
            it += 1
        packed = make_batch(tok, batch_samples, args)
        input_ids = packed.input_ids.to(device)
        attention_mask = packed.attention_mask.to(device)
        labels = packed.labels.to(device)

        loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
        loss = loss / args.grad_accum_steps
        loss.backward()

        if (steps + 1) % args.grad_accum_steps == 0:
            if args.max_grad_norm > 0:
                clip_grad_norm_(model.parameters(), args.max_grad_norm)
            opt.step()
            opt.zero_grad(set_to_none=True)
        steps += 1


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--model_name_or_path", type=str, required=True)
    p.add_argument("--train_json", type=str, required=True)
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--fp16", action="store_true")
    p.add_argument("--micro_batch_size", type=int, default=1)
    p.add_argument("--grad_accum_steps", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--wd", type=float, default=0.1)
    p.add_argument("--max_grad_norm", type=float, default=1.0)
    p.add_argument("--max_steps", type=int, default=200)
    return p.parse_args()


if __name__ == "__main__":
    train(parse_args())
