"""Bird-song / music token GPT: build-nanogpt style loop with a contrastive second forward.

launch: python train_gpt2.py   or   torchrun --standalone --nproc_per_node=8 train_gpt2.py
"""

import math
import os

import numpy as np
import torch
import torch.distributed as dist
from torch.distributed import init_process_group
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from dataloader import DataLoaderLite
from gpt2 import GPT, GPTConfig
from grokfast import gradfilter_ema

ddp = int(os.environ.get("RANK", -1)) != -1
if ddp:
    init_process_group(backend="nccl")
    ddp_rank = int(os.environ["RANK"])
    ddp_local_rank = int(os.environ["LOCAL_RANK"])
    ddp_world_size = int(os.environ["WORLD_SIZE"])
    device = f"cuda:{ddp_local_rank}"
    torch.cuda.set_device(device)
else:
    ddp_rank, ddp_local_rank, ddp_world_size = 0, 0, 1
    device = "cuda" if torch.cuda.is_available() else "cpu"
device_type = "cuda" if device.startswith("cuda") else "cpu"

T = 1024
total_batch_size = T * 32  # tokens per optimizer step
B = 16
assert total_batch_size % (B * T * ddp_world_size) == 0
grad_accum_steps = total_batch_size // (B * T * ddp_world_size)

train_loader = DataLoaderLite(B=B, T=T, process_rank=ddp_rank, num_processes=ddp_world_size, split="train")

model = GPT(GPTConfig())
model.to(device)
model = torch.compile(model)
if ddp:
    model = DDP(model, device_ids=[ddp_local_rank])
raw_model = model.module if ddp else model

GROK_ALPHA = 0.9
GROK_LAMB = 0.625
weight_decay = 0.13333
max_lr = 4.75e-4
init_lr_pct = 0.06667
min_lr_pct = 0.025
neg_loss_weight = 0.6667
num_epochs = 25
grad_clip_percentile = 0.1
grad_clip_min, grad_clip_max = 1e-3, 0.65
norms_window_size = 300

max_steps = (num_epochs * train_loader.total_tokens) // total_batch_size
warmup_steps = int(max_steps * 0.07)


def get_lr(it):
    min_lr = max_lr * min_lr_pct
    if it < warmup_steps:
        return max_lr * (init_lr_pct + (1.0 - init_lr_pct) * it / max(1, warmup_steps))
    if it > max_steps:
        return min_lr
    ratio = (it - warmup_steps) / (max_steps - warmup_steps)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (max_lr - min_lr)


def get_clip_value(norms_window, step):
    # adaptive clip: a low percentile of the recent gradient norms
    if step < max(norms_window_size, warmup_steps * 0.5):
        return 1.0
    clip_value = np.percentile(norms_window, grad_clip_percentile * 100)
    return max(grad_clip_min, min(grad_clip_max, clip_value))


norms_window = []
grads = None
optimizer = raw_model.configure_optimizers(
    weight_decay=weight_decay, learning_rate=max_lr * init_lr_pct, device_type=device_type
)

for step in range(max_steps):
    model.train()
    optimizer.zero_grad()
    loss_accum = 0.0
    for micro_step in range(grad_accum_steps):
        x1, x2_pos, y_pos, x2_neg, y_neg = train_loader.next_batch()
        x_pos = torch.cat([x1, x2_pos], dim=1).to(device)
        x_neg = torch.cat([x1, x2_neg], dim=1).to(device)
        y_pos, y_neg = y_pos.to(device), y_neg.to(device)

        with torch.autocast(device_type=device_type, dtype=torch.bfloat16):
            logits_pos, _ = model(x_pos)
            logits_neg, _ = model(x_neg)
            loss_pos = F.cross_entropy(logits_pos[:, -512:].reshape(-1, logits_pos.size(-1)), y_pos.view(-1))
            loss_neg = F.cross_entropy(logits_neg[:, -512:].reshape(-1, logits_neg.size(-1)), y_neg.view(-1))
            warmup_factor = min(step / (2.0 * warmup_steps), 1.0)
            clamped_neg = torch.clamp(loss_neg, min=0.75 * loss_pos, max=1.3333 * loss_pos)
            loss = loss_pos + (loss_pos / clamped_neg) * warmup_factor * neg_loss_weight

        loss = loss / grad_accum_steps
        loss_accum += loss.detach()

        # only all-reduce on the last micro-step (set after the two forwards above)
        if ddp:
            model.require_backward_grad_sync = micro_step == grad_accum_steps - 1
        loss.backward()

        if step >= warmup_steps * 0.6667:
            grads = gradfilter_ema(model, grads=grads, alpha=GROK_ALPHA, lamb=GROK_LAMB)

    if ddp:
        dist.all_reduce(loss_accum, op=dist.ReduceOp.AVG)
    clip_val = get_clip_value(norms_window, step)
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_val)
    norms_window = (norms_window + [norm.item()])[-norms_window_size:]

    lr = get_lr(step)
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr
    optimizer.step()
