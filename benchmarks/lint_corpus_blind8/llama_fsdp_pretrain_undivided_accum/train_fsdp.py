import argparse
import functools
import os

import datasets
import torch
import transformers
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import MixedPrecision, ShardingStrategy
from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy
from torch.utils.data import DataLoader, DistributedSampler
from transformers.models.llama.modeling_llama import LlamaDecoderLayer

from modeling_llama import LlamaForCausalLM


def clip_model_gradients(model, max_grad_norm):
    return model.clip_grad_norm_(max_grad_norm).item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", type=str, default="meta-llama/Llama-3.2-1B")
    parser.add_argument("--sequence_length", type=int, default=2048)
    parser.add_argument("--micro_batch_size", type=int, default=24)
    parser.add_argument("--acc_steps", type=int, default=4)
    parser.add_argument("--max_steps", type=int, default=1000000)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--warmup_steps", type=int, default=20)
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--scheduler_type", type=str, default="cosine")
    args = parser.parse_args()

    local_rank = int(os.environ["LOCAL_RANK"])
    world_size = int(os.environ["WORLD_SIZE"])
    global_rank = int(os.environ["RANK"])
    torch.distributed.init_process_group("nccl", rank=global_rank, world_size=world_size)

    clip_gradients = True
    gradient_clipping = 1.0

    config = transformers.AutoConfig.from_pretrained(args.model_name)
    model = LlamaForCausalLM._from_config(config=config, torch_dtype=torch.bfloat16)
    auto_wrap_policy = functools.partial(transformer_auto_wrap_policy, transformer_layer_cls={LlamaDecoderLayer})
    model = torch.compile(model)
    model = FSDP(
        model,
        auto_wrap_policy=auto_wrap_policy,
        sharding_strategy=ShardingStrategy.FULL_SHARD,
        mixed_precision=MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.bfloat16),
        use_orig_params=True,
    )

    optimizer = torch.optim.AdamW(
        params=model.parameters(),
        lr=args.lr,
        betas=(0.9, 0.95),
        eps=1e-8,
        weight_decay=args.weight_decay,
        fused=True,
    )

    dataset = datasets.load_from_disk("data/fineweb-edu_10BT/train")
    train_sampler = DistributedSampler(dataset, num_replicas=world_size, rank=global_rank)
    train_loader = DataLoader(dataset, batch_size=args.micro_batch_size, sampler=train_sampler)

    model.train()
    losses = 0
    args.max_steps = min(args.max_steps, len(train_loader) // args.acc_steps)
    scheduler = transformers.get_scheduler(
        name=args.scheduler_type,
        optimizer=optimizer,
        num_warmup_steps=args.warmup_steps,
        num_training_steps=1000000,
    )

    for step, batch in enumerate(train_loader):
        current_step = (step + 1) // args.acc_steps
        if current_step > args.max_steps:
            break
        inputs = batch["input_ids"].to(model.device)
        x, y = inputs[::, : args.sequence_length], inputs[::, -args.sequence_length :]

        if (step + 1) % args.acc_steps != 0:
            with model.no_sync():
                loss = model(input_ids=x, labels=y)
                loss.backward()
                losses += loss.float()
        else:
            loss = model(input_ids=x, labels=y)
            loss.backward()
            if clip_gradients:
                grad_norm = clip_model_gradients(model, gradient_clipping)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            scheduler.step()
            losses += loss.float()
            train_loss = losses.item() / args.acc_steps
            losses = 0
