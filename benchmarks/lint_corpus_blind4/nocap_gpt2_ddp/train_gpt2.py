import argparse
import os
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributed import destroy_process_group, init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP


def rmsnorm(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attn = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.mlp = nn.Linear(config.n_embd, config.n_embd, bias=False)

    def forward(self, x):
        x = x + self.attn(rmsnorm(x))
        return x + self.mlp(rmsnorm(x))


@dataclass
class GPTConfig:
    vocab_size: int = 50257
    n_layer: int = 12
    n_embd: int = 768


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transformer = nn.ModuleDict(
            dict(wte=nn.Embedding(config.vocab_size, config.n_embd), h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]))
        )
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx, targets):
        x = self.transformer.wte(idx)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(rmsnorm(x))
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        return torch.optim.AdamW(self.parameters(), lr=learning_rate, weight_decay=weight_decay, betas=betas)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch_size", type=int, default=4)
    parser.add_argument("--grad_accumulation_steps", type=int, default=1)
    parser.add_argument("--num_iterations", type=int, default=10)
    parser.add_argument("--learning_rate", type=float, default=1e-4)
    parser.add_argument("--warmup_iters", type=int, default=0)
    parser.add_argument("--warmdown_iters", type=int, default=0)
    parser.add_argument("--weight_decay", type=float, default=0.0)
    args = parser.parse_args()

    init_process_group(backend="nccl")
    ddp_local_rank = int(os.environ["LOCAL_RANK"])
    ddp_world_size = int(os.environ["WORLD_SIZE"])
    args.grad_accumulation_steps //= ddp_world_size
    ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    train_loader = make_loader(args)
    x, y = train_loader.next_batch()

    model = GPT(GPTConfig()).cuda()
    model = torch.compile(model)
    model = DDP(model, device_ids=[ddp_local_rank])
    raw_model = model.module
    optimizer = raw_model.configure_optimizers(weight_decay=args.weight_decay, learning_rate=args.learning_rate, betas=(0.9, 0.95))

    def get_lr(it):
        if it < args.warmup_iters:
            return args.learning_rate * (it + 1) / args.warmup_iters
        if it < args.num_iterations - args.warmdown_iters:
            return args.learning_rate
        return args.learning_rate * (args.num_iterations - it) / args.warmdown_iters

    for step in range(args.num_iterations + 1):
        if step == args.num_iterations:
            break
        model.train()
        for micro_step in range(args.grad_accumulation_steps):
            model.require_backward_grad_sync = micro_step == args.grad_accumulation_steps - 1
            with ctx:
                _, loss = model(x, y)
                loss = loss / args.grad_accumulation_steps
            x, y = train_loader.next_batch()
            loss.backward()
        lr = get_lr(step)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    destroy_process_group()


def make_loader(args):
    raise NotImplementedError
