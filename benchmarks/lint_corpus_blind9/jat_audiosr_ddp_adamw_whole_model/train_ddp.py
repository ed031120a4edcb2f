import math

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW

from src.models.jat_audiosr_v2 import JaT_AudioSR_V2


class TrainConfig:
    model_params = {"input_channels": 1024, "hidden_size": 1024, "depth": 16, "num_q_heads": 16, "num_kv_heads": 4}
    batch_size = 72
    lr = 5e-5
    weight_decay = 0.1
    warmup_steps = 1000
    num_epochs = 1000
    grad_clip = 1.0


def get_lr(step, total_steps, warmup_steps, base_lr):
    if step < warmup_steps:
        return base_lr * (step / max(1, warmup_steps))
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def train(local_rank, train_loader, train_sampler):
    cfg = TrainConfig()
    model = JaT_AudioSR_V2(**cfg.model_params).to(local_rank)
    optimizer = AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scaler = torch.amp.GradScaler("cuda")
    model = torch.compile(model)
    model = DDP(model, device_ids=[local_rank], find_unused_parameters=False)
    total_steps_approx = len(train_loader) * cfg.num_epochs
    global_step = 0
    for epoch in range(cfg.num_epochs):
        model.train()
        train_sampler.set_epoch(epoch)
        for hr, lr in train_loader:
            current_lr = get_lr(global_step, total_steps_approx, cfg.warmup_steps, cfg.lr)
            for param_group in optimizer.param_groups:
                param_group["lr"] = current_lr
            hr = hr.to(local_rank, non_blocking=True)
            lr = lr.to(local_rank, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            with torch.amp.autocast("cuda"):
                t = torch.rand(hr.shape[0], device=hr.device)
                noise = torch.randn_like(hr)
                z_t = t.view(-1, 1, 1) * hr + (1 - t.view(-1, 1, 1)) * noise
                pred_x0 = model(z_t, t, lr)
                loss = F.mse_loss(pred_x0, hr)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            global_step += 1
