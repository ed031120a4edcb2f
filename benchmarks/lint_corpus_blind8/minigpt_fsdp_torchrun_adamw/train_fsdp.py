import functools
import os

import torch
import torch.distributed as dist
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import MixedPrecision, ShardingStrategy
from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

from minigpt import GPT, GPTConfig
from minigpt.data import get_batch, get_dataset
from minigpt.model import Block


def _envi(name, default):
    return int(os.environ.get(name, default))


def main(lr: float = 3e-4) -> None:
    steps = _envi("STEPS", 200)
    per_rank_bs = _envi("BATCH", 32)
    block_size = _envi("BLOCK", 256)
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", 0))
    world = int(os.environ["WORLD_SIZE"])
    dist.init_process_group("nccl", rank=rank, world_size=world)
    torch.cuda.set_device(local)
    device = torch.device(f"cuda:{local}")
    data, vocab = get_dataset()
    cfg = GPTConfig(vocab_size=vocab, block_size=block_size, tie_weights=False, n_layer=_envi("N_LAYER", 12), n_head=_envi("N_HEAD", 12), n_embd=_envi("N_EMBD", 768))
    model = GPT(cfg).to(device)
    wrap_policy = functools.partial(transformer_auto_wrap_policy, transformer_layer_cls={Block})
    mixed = MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.bfloat16, buffer_dtype=torch.bfloat16)
    fsdp = FSDP(model, auto_wrap_policy=wrap_policy, mixed_precision=mixed, sharding_strategy=ShardingStrategy.FULL_SHARD, device_id=local)

    opt = torch.optim.AdamW(fsdp.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(1000 + rank)
    fsdp.train()
    for step in range(steps):
        x, y = get_batch(data, block_size, per_rank_bs, generator=gen, device=device)
        _, loss = fsdp(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
