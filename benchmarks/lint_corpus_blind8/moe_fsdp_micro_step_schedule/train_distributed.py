import argparse
import math

import torch
import torch.distributed as dist
import yaml
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.nn.parallel import DistributedDataParallel as DDP

from moe_arch.model.transformer import MoETransformer


def load_config(config_path):
    with open(config_path, "r") as f:
        return yaml.safe_load(f)


def create_optimizer(model, config, use_8bit=False):
    opt_config = config.get("optimizer", {})
    training_config = config.get("training", {})
    opt_type = opt_config.get("type", "adamw")
    lr = training_config.get("max_lr", 3e-3)
    weight_decay = opt_config.get("weight_decay", 0.01)
    decay_params = []
    no_decay_params = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if "bias" in name or "norm" in name or "embedding" in name:
            no_decay_params.append(param)
        else:
            decay_params.append(param)
    param_groups = [
        {"params": decay_params, "weight_decay": weight_decay},
        {"params": no_decay_params, "weight_decay": 0.0},
    ]
    if opt_type == "adamw":
        optimizer = torch.optim.AdamW(param_groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)
    else:
        optimizer = torch.optim.AdamW(param_groups, lr=lr, betas=(0.9, 0.95))
    return optimizer


def create_scheduler(optimizer, config, total_steps):
    training_config = config.get("training", {})
    warmup_steps = training_config.get("warmup_steps", 500)
    min_lr_ratio = training_config.get("min_lr_ratio", 0.1)

    def lr_lambda(step):
        if step < warmup_steps:
            return step / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def train_step(model, batch, optimizer, scheduler, grad_clip, accumulation_steps, step):
    inputs = batch["input_ids"][:, :-1]
    targets = batch["labels"][:, 1:]
    outputs = model(input_ids=inputs, labels=targets)
    loss = outputs["loss"] / accumulation_steps
    loss.backward()
    if (step + 1) % accumulation_steps == 0:
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    return outputs["loss"].item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    parser.add_argument("--use-ddp", action="store_true")
    args = parser.parse_args()
    dist.init_process_group(backend="nccl")
    rank = dist.get_rank()
    world_size = dist.get_world_size()
    config = load_config(args.config)
    model = MoETransformer(build_moe_config(config))
    if args.use_ddp:
        model = DDP(model.cuda(), device_ids=[rank])
    else:
        model = FSDP(model, use_orig_params=True)

    training_config = config.get("training", {})
    optimizer = create_optimizer(model, config)
    total_tokens = training_config.get("total_tokens", 10_000_000_000)
    batch_size = training_config.get("batch_size", 1)
    seq_len = 2048
    accum_steps = training_config.get("gradient_accumulation_steps", 4)
    tokens_per_step = batch_size * seq_len * world_size * accum_steps
    total_steps = total_tokens // tokens_per_step
    scheduler = create_scheduler(optimizer, config, total_steps)

    dataloader = make_dataloader(config, batch_size)
    grad_clip = training_config.get("gradient_clip_norm", 1.0)
    model.train()
    data_iter = iter(dataloader)
    for step in range(total_steps):
        batch = next(data_iter)
        batch = {k: v.cuda() for k, v in batch.items()}
        train_step(model, batch, optimizer, scheduler, grad_clip, accum_steps, step)


if __name__ == "__main__":
    main()
