import math
import os
from contextlib import nullcontext

import torch
from torch.distributed import destroy_process_group, init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP

from model import GPT, GPTConfig

gradient_accumulation_steps = 5 * 8
batch_size = 12
block_size = 1024
learning_rate = 6e-4
max_iters = 600000
weight_decay = 1e-1
beta1 = 0.9
beta2 = 0.95
grad_clip = 1.0
decay_lr = True
warmup_iters = 2000
lr_decay_iters = 600000
min_lr = 6e-5
device = "cuda"
dtype = "bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "float16"
exec(open("configurator.py").read())


def train(get_batch):
    ddp = int(os.environ.get("RANK", -1)) != -1
    if ddp:
        init_process_group(backend="nccl")
        ddp_local_rank = int(os.environ["LOCAL_RANK"])
        ddp_world_size = int(os.environ["WORLD_SIZE"])
        used_device = f"cuda:{ddp_local_rank}"
        actual_grad_steps = gradient_accumulation_steps // ddp_world_size
    else:
        used_device = device
        actual_grad_steps = gradient_accumulation_steps
    ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
    ctx = torch.amp.autocast(device_type="cuda", dtype=ptdtype) if "cuda" in used_device else nullcontext()

    model = GPT(GPTConfig(block_size=block_size))
    model.to(used_device)
    scaler = torch.cuda.amp.GradScaler(enabled=(dtype == "float16"))
    optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2), "cuda")
    model = torch.compile(model)
    if ddp:
        model = DDP(model, device_ids=[ddp_local_rank])

    def get_lr(step_i):
        if step_i < warmup_iters:
            return learning_rate * step_i / warmup_iters
        if step_i > lr_decay_iters:
            return min_lr
        decay_ratio = (step_i - warmup_iters) / (lr_decay_iters - warmup_iters)
        return min_lr + 0.5 * (1.0 + math.cos(math.pi * decay_ratio)) * (learning_rate - min_lr)

    Xb, Yb = get_batch("train")
    iter_num = 0
    while True:
        lr_ = get_lr(iter_num) if decay_lr else learning_rate
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr_
        for micro_step in range(actual_grad_steps):
            if ddp:
                model.require_backward_grad_sync = micro_step == actual_grad_steps - 1
            with ctx:
                logits, loss_ = model(Xb, Yb)
                loss_ = loss_ / actual_grad_steps
            Xb, Yb = get_batch("train")
            scaler.scale(loss_).backward()
        if grad_clip != 0.0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        iter_num += 1
        if iter_num > max_iters:
            break
    if ddp:
        destroy_process_group()
