import numpy as np
import torch
from torch.cuda.amp import GradScaler, autocast
from torch.distributed.fsdp.sharded_grad_scaler import ShardedGradScaler

from llm_studio.src.utils.modeling_utils import get_optimizer, get_scheduler


def run_train(cfg, model, train_dataloader):
    epoch_steps = len(train_dataloader)
    optimizer = get_optimizer(model=model, cfg=cfg)
    scheduler = get_scheduler(cfg=cfg, optimizer=optimizer, epoch_steps=epoch_steps)
    if cfg.environment.mixed_precision:
        if cfg.environment.use_fsdp:
            scaler = ShardedGradScaler()
        else:
            scaler = GradScaler()
    else:
        scaler = None
    optimizer.zero_grad(set_to_none=True)
    num_updates = 0
    for epoch in range(cfg.training.epochs):
        tr_it = iter(train_dataloader)
        model.train()
        for itr in range(epoch_steps):
            num_updates += 1
            data = next(tr_it)
            batch = cfg.dataset.dataset_class.batch_to_device(data, cfg.environment._device)
            if cfg.environment.mixed_precision:
                with autocast():
                    output_dict = model.forward(batch)
            else:
                output_dict = model.forward(batch)
            loss = output_dict["loss"]
            if ~np.isfinite(loss.item()) and (num_updates > 20):
                raise RuntimeError("NaN caught in loss during training.")
            if cfg.training.grad_accumulation != 1:
                loss = loss / cfg.training.grad_accumulation
            if cfg.environment.mixed_precision:
                scaler.scale(loss).backward()
                if num_updates % cfg.training.grad_accumulation == 0:
                    if cfg.training.gradient_clip > 0:
                        scaler.unscale_(optimizer)
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.training.gradient_clip)
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad(set_to_none=True)
            else:
                loss.backward()
                if num_updates % cfg.training.grad_accumulation == 0:
                    if cfg.training.gradient_clip > 0:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.training.gradient_clip)
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
            if scheduler is not None:
                scheduler.step()
