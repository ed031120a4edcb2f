import argparse
import functools
import os

import torch
import torch.distributed as dist
from torch.distributed.fsdp import FullyShardedDataParallel, MixedPrecision, ShardingStrategy
from torch.distributed.fsdp.wrap import size_based_auto_wrap_policy

from cs336_basics.adamw import AdamW
from cs336_basics.cross_entropy import cross_entropy
from cs336_basics.lr_schedule import learning_rate_schedule
from cs336_basics.transformer import TransformerLM
from utils import dataloader

device = "cuda"


def train(args):
    dist.init_process_group("nccl")
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    world_size = dist.get_world_size()
    lm = TransformerLM(args.vocab_size, args.num_layers, args.d_model, args.num_heads, args.d_ff, args.use_rope, args.rope_theta, args.context_len, args.use_flash_attn)
    lm = FullyShardedDataParallel(
        lm,
        auto_wrap_policy=functools.partial(size_based_auto_wrap_policy, min_num_params=1_000_000),
        mixed_precision=MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.float32, buffer_dtype=torch.bfloat16),
        sharding_strategy=ShardingStrategy.FULL_SHARD,
        device_id=torch.cuda.current_device(),
        sync_module_states=True,
    )
    optimizer = AdamW(
        lm.parameters(),
        lr=0.0,
        weight_decay=args.weight_decay,
        betas=(args.beta_1, args.beta_2),
    )
    iteration = 0
    for inputs, targets in dataloader(args.train_data, args.batch_size // world_size, args.context_len, num_steps=args.max_iterations, device=device):
        with torch.autocast(device_type=device, dtype=torch.bfloat16):
            outputs = lm(inputs)
            loss = cross_entropy(outputs, targets)
        loss.backward()
        gradient_global_norm = lm.clip_grad_norm_(max_norm=args.max_l2_norm).item()
        learning_rate = learning_rate_schedule(iteration, args.max_learning_rate, args.min_learning_rate, args.warmup_iters, args.cosine_cycle_iters)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate
        optimizer.step()
        lm.zero_grad()
        iteration += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--train_data", type=str, default="./cache/tinystory/train_encoded.bin")
    parser.add_argument("--vocab_size", type=int, default=10000)
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--context_len", type=int, default=256)
    parser.add_argument("--max_iterations", type=int, default=100000)
    parser.add_argument("--num_layers", type=int, default=4)
    parser.add_argument("--d_model", type=int, default=512)
    parser.add_argument("--d_ff", type=int, default=1344)
    parser.add_argument("--num_heads", type=int, default=16)
    parser.add_argument("--use_flash_attn", action="store_true")
    parser.add_argument("--use_rope", action="store_true")
    parser.add_argument("--rope_theta", type=int, default=10000)
    parser.add_argument("--max_learning_rate", type=float, default=1e-2)
    parser.add_argument("--min_learning_rate", type=float, default=1e-3)
    parser.add_argument("--warmup_iters", type=int, default=2000)
    parser.add_argument("--cosine_cycle_iters", type=int, default=10000)
    parser.add_argument("--weight_decay", type=float, default=1e-2)
    parser.add_argument("--beta_1", type=float, default=0.9)
    parser.add_argument("--beta_2", type=float, default=0.999)
    parser.add_argument("--max_l2_norm", type=float, default=1.0)
    train(parser.parse_args())
