import argparse
import functools
import math

import torch
import torch.distributed as dist
from ruamel.yaml import YAML
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import MixedPrecision
from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy
from torch.utils.data import DataLoader

from data_loader import TokenizedDataset
from model import Transformer, TransformerBlock


def cosine_decay_schedule(step, total_steps, warmup_steps, lr_max, lr_min):
    if step < warmup_steps:
        return step / warmup_steps
    n = total_steps - warmup_steps - 1
    step -= warmup_steps
    coeff = 0.5 * (1 + math.cos(step / n * math.pi))
    return (lr_min + (lr_max - lr_min) * coeff) / lr_max


def func(global_rank, local_rank, world_size, train_cfg, model_cfg):
    torch.cuda.set_device(local_rank)
    device = f"cuda:{local_rank}"
    ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[train_cfg.dtype]
    ctx = torch.amp.autocast(device_type="cuda", dtype=ptdtype)
    scaler = torch.cuda.amp.GradScaler(enabled=(ptdtype == "float16"))
    dl_train = iter(DataLoader(TokenizedDataset(filepaths=train_files(), context_length=model_cfg.context_length), batch_size=train_cfg.batch_size))
    wrap = functools.partial(transformer_auto_wrap_policy, transformer_layer_cls={TransformerBlock})
    model = Transformer(model_cfg)
    model.to(device)
    model = FSDP(model, auto_wrap_policy=wrap, mixed_precision=MixedPrecision(param_dtype=ptdtype), device_id=torch.cuda.current_device())
    model.train()
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=train_cfg.lr,
        betas=(train_cfg.adam_b1, train_cfg.adam_b2),
        eps=1e-08,
        weight_decay=train_cfg.adam_weight_decay,
    )
    lr_lambda = functools.partial(
        cosine_decay_schedule,
        total_steps=int(train_cfg.train_iters) // train_cfg.gradient_accumulation_steps,
        warmup_steps=int(train_cfg.warmup_iters) // train_cfg.gradient_accumulation_steps,
        lr_max=train_cfg.lr,
        lr_min=train_cfg.lr_min,
    )
    lr_schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    train_steps = int(train_cfg.train_iters) // train_cfg.gradient_accumulation_steps
    for step in range(train_steps):
        x, y = next(dl_train)
        x = x.to(device, non_blocking=True)
        y = y.to(device, non_blocking=True)
        with model.no_sync(), ctx:
            loss = 0.0
            for _ in range(train_cfg.gradient_accumulation_steps):
                out = model(x, y)
                partial_loss = out["loss"]
                loss += partial_loss / train_cfg.gradient_accumulation_steps
        scaler.scale(loss).backward()
        if train_cfg.max_grad is not None:
            scaler.unscale_(optimizer)
            model.clip_grad_norm_(train_cfg.max_grad)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        lr_schedule.step()


def main():
    with open("cfg.yml", "r") as f:
        cfg = YAML().load(f)
    model_cfg = argparse.Namespace(**cfg["model_cfg"])
    train_cfg = argparse.Namespace(**cfg["train_cfg"])
    setattr(train_cfg, "dtype", "bfloat16" if torch.cuda.is_bf16_supported() else "float16")
    launch(func, train_cfg, model_cfg)


if __name__ == "__main__":
    main()
