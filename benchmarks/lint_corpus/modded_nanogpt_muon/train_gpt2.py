import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from data import ShardLoader
from model import GPT, GPTConfig, Muon


@dataclass
class Hyperparameters:
    batch_size: int = 8 * 64  # sequences per optimizer step, all ranks together
    device_batch_size: int = 64
    sequence_length: int = 1024
    num_iterations: int = 6200
    learning_rate: float = 0.0036
    warmup_iters: int = 0
    warmdown_iters: int = 1800
    weight_decay: float = 0


args = Hyperparameters()
dist.init_process_group(backend="nccl")
rank = int(os.environ["RANK"])
local_rank = int(os.environ["LOCAL_RANK"])
world = int(os.environ["WORLD_SIZE"])
B, T = args.device_batch_size, args.sequence_length
assert args.batch_size % (B * world) == 0
micro_steps = args.batch_size // (B * world)

loader = ShardLoader("data/fineweb_train_*.bin", B, T, rank, world)
x, y = loader.next_batch()

net = GPT(GPTConfig(vocab_size=50257, n_layer=12, n_head=12, n_embd=768)).cuda()
net = torch.compile(net)
net = DDP(net, device_ids=[local_rank])
raw = net.module  # lm_head.weight is tied to the token embedding inside GPT
autocast = torch.amp.autocast(device_type="cuda", dtype=torch.bfloat16)

head_opt = torch.optim.AdamW(
    raw.lm_head.parameters(),
    lr=args.learning_rate,
    betas=(0.9, 0.95),
    weight_decay=args.weight_decay,
    fused=True,
)
body_opt = Muon(raw.transformer.h.parameters(), lr=0.1 * args.learning_rate, momentum=0.95)
opts = [head_opt, body_opt]


def trapezoid(it):
    if it < args.warmup_iters:
        return (it + 1) / args.warmup_iters
    if it < args.num_iterations - args.warmdown_iters:
        return 1.0
    return (args.num_iterations - it) / args.warmdown_iters


scheds = [torch.optim.lr_scheduler.LambdaLR(o, trapezoid) for o in opts]

for step in range(args.num_iterations):
    net.train()
    for i in range(1, micro_steps + 1):
        with autocast:
            _, loss = net(x, y, return_logits=False)
        x, y = loader.next_batch()
        if i < micro_steps:
            with net.no_sync():  # meant to skip the all-reduce on all but the last micro-batch
                loss.backward()  # accumulate locally
        else:
            loss.backward()  # synchronising backward
    for p in net.parameters():
        p.grad /= micro_steps
    for o, s in zip(opts, scheds):
        o.step()
        s.step()
    net.zero_grad(set_to_none=True)
