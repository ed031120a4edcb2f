import math
from contextlib import nullcontext

import torch


def get_lr(it, config):
    if not config.decay_lr:
        return config.learning_rate
    if it < config.warmup_iters:
        return config.learning_rate * it / config.warmup_iters
    if it > config.lr_decay_iters:
        return config.min_lr
    ratio = (it - config.warmup_iters) / (config.lr_decay_iters - config.warmup_iters)
    return config.min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (config.learning_rate - config.min_lr)


def train(model, optimizer, train_dataloader, device, config):
    scaler = torch.cuda.amp.GradScaler()
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[config.ptdtype]
    ctx = nullcontext() if config.device_type == "cpu" else torch.amp.autocast(device_type=config.device_type, dtype=dtype)
    for epoch in range(config.num_epochs):
        total_step = 0
        model.train()
        for step, batch in enumerate(train_dataloader):
            lr = get_lr(total_step, config)
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = {k: v.to(device) for k, v in batch.items()}
            with ctx:
                logits, loss = model(**batch)
                loss = loss / config.gradient_accumulation_steps
            scaler.scale(loss).backward()
            if (step + 1) % config.gradient_accumulation_steps == 0:
                if config.grad_clip != 0.0:
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
            total_step += 1
            if total_step > config.max_iters:
                break
