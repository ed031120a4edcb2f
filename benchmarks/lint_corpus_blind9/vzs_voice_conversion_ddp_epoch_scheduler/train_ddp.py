import torch
import torch.distributed as dist
import torch.nn as nn
from torch.amp import GradScaler, autocast
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.utils import clip_grad_norm_
from torch.optim import AdamW
from torch.optim.lr_scheduler import LinearLR

from utils.configs import TrainConfig
from utils.modules import load_generator


def train_model(local_rank, world_size, train_loader):
    dist.init_process_group(backend="nccl", init_method="env://", world_size=world_size, rank=local_rank)
    torch.cuda.set_device(local_rank)
    train_config = TrainConfig()
    train_config.device = f"cuda:{local_rank}"
    model = load_generator(train_config.device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = AdamW(model.parameters(), lr=train_config.lr, betas=train_config.beta, weight_decay=train_config.weight_decay)
    scheduler = LinearLR(optimizer, start_factor=train_config.start_factor, total_iters=train_config.n_warmup_epochs)
    scaler = GradScaler(device=train_config.device, enabled=train_config.amp == torch.float16)
    model = DDP(model, device_ids=[local_rank], output_device=local_rank)
    for epoch in range(1, train_config.n_epochs + 1):
        model.train()
        for i, batch in enumerate(train_loader):
            batch = batch.to(train_config.device, non_blocking=True)
            optimizer.zero_grad()
            with autocast(device_type=train_config.device, dtype=train_config.amp, enabled=train_config.amp != torch.float32):
                output = model(content=batch["content"], pitch=batch["pitch"], timbre=batch["timbre"])
                loss = loss_fn(output, batch["target"])
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            clip_grad_norm_(model.parameters(), max_norm=train_config.clip_grad_norm)
            scaler.step(optimizer)
            scaler.update()
        scheduler.step()
    dist.destroy_process_group()
