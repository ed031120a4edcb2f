import os

import torch
from torch import distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from data import DataLoaderLite
from gpt2 import GPT2, GPTConfig
from utils import get_lr

ddp = int(os.environ.get("RANK", -1)) != -1
if ddp:
    dist.init_process_group(backend="nccl")
    ddp_rank = int(os.environ["RANK"])
    ddp_local_rank = int(os.environ["LOCAL_RANK"])
    ddp_world_size = int(os.environ["WORLD_SIZE"])
    device = f"cuda:{ddp_local_rank}"
else:
    ddp_rank, ddp_local_rank, ddp_world_size = 0, 0, 1
    device = "cuda" if torch.cuda.is_available() else "cpu"
device_type = "cuda" if device.startswith("cuda") else "cpu"

B = 16
T = 1024
max_steps = 19072
max_lr = 6e-4
min_lr = max_lr * 0.1
warmup_steps = 715
total_batch_size = 524288
grad_accum_steps = total_batch_size // (B * T * ddp_world_size)

train_loader = DataLoaderLite(B=B, T=T, num_processes=ddp_world_size, process_rank=ddp_rank, split="train")
model = GPT2(GPTConfig).to(device)
if ddp:
    model = DDP(model, device_ids=[ddp_local_rank])
raw_model = model.module if ddp else model
optim = raw_model.configure_optimizers(weight_decay=0.1, learning_rate=6e-4, device=device)

for step in range(max_steps):
    loss_accum = 0
    optim.zero_grad(set_to_none=True)
    for micro_step in range(grad_accum_steps):
        if ddp:
            model.require_backward_grad_sync = micro_step == grad_accum_steps - 1
        x, y = train_loader.next_batch()
        x, y = x.to(device), y.to(device)
        with torch.autocast(device_type=device_type, dtype=torch.bfloat16):
            logits, loss = model(x, y)
        loss = loss / grad_accum_steps
        loss_accum += loss.detach()
        loss.backward()
    if ddp:
        dist.all_reduce(loss_accum, op=dist.ReduceOp.AVG)
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    lr = get_lr(step, warmup_steps, max_steps, max_lr, min_lr)
    for param_group in optim.param_groups:
        param_group["lr"] = lr
    optim.step()

if ddp:
    dist.destroy_process_group()
