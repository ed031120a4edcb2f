"""Usage: torchrun --nproc_per_node=8 train_distributed.py --stage pretrain --hours 3"""
import argparse
import time

import torch
import torch.nn.functional as F
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

from model import GPT, ModelConfig, get_batch, load_data
from training import WarmupCosineScheduler, ZLossWrapper


def train_stage(model, optimizer, data, cfg, args, target_steps, device):
    scheduler = WarmupCosineScheduler(optimizer, int(target_steps * 0.05), target_steps, min_lr=1e-5)
    criterion = ZLossWrapper(z_coefficient=5e-4)
    for step in range(target_steps):
        x, y = get_batch(data, cfg.sequence_length, args.batch_size, device)
        with torch.amp.autocast("cuda", dtype=torch.bfloat16):
            loss = criterion(model(x, y), y)
        (loss / args.grad_accum).backward()
        if (step + 1) % args.grad_accum == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            scheduler.step()


def train():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stage", default="pretrain")
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--grad-accum", type=int, default=4)
    args = parser.parse_args()
    device = torch.device("cuda")
    cfg = ModelConfig.medium(vocab_size=32000)
    model = FSDP(GPT(cfg).to(device))
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=0.1, fused=True)
    warmup_data = load_data("pretrain")
    t0 = time.time()
    for _ in range(5):
        x, y = get_batch(warmup_data, cfg.sequence_length, args.batch_size, device)
        loss = F.cross_entropy(model(x, y).view(-1, cfg.vocab_size), y.view(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    steps_per_sec = 5 / (time.time() - t0)
    target_steps = int(steps_per_sec * args.hours * 3600)
    train_stage(model, optimizer, load_data(args.stage), cfg, args, target_steps, device)


if __name__ == "__main__":
    train()
