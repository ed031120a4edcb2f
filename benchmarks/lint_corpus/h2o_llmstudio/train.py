import torch
from torch.cuda.amp import GradScaler, autocast

from llm_studio.src.utils.modeling_utils import get_optimizer, get_scheduler


def run_train(cfg, model, train_dataloader):
    epoch_steps = len(train_dataloader)
    optimizer = get_optimizer(model=model, cfg=cfg)
    scheduler = get_scheduler(cfg=cfg, optimizer=optimizer, epoch_steps=epoch_steps)
    if cfg.environment.mixed_precision:
        scaler = GradScaler()
    else:
        scaler = None
    optimizer.zero_grad(set_to_none=True)
    num_updates = 0
    for epoch in range(cfg.training.epochs):
        tr_it = iter(train_dataloader)
        for itr in range(epoch_steps):
            num_updates += 1
            batch = next(tr_it)
            if cfg.environment.mixed_precision:
                with autocast():
                    output_dict = model.forward(batch)
            else:
                output_dict = model.forward(batch)
            loss = output_dict["loss"]
            if cfg.training.grad_accumulation != 1:
                loss = loss / cfg.training.grad_accumulation
            if cfg.environment.mixed_precision:
                scaler.scale(loss).backward()
                if num_updates % cfg.training.grad_accumulation == 0:
                    if cfg.training.gradient_clip > 0:
                        scaler.unscale_(optimizer)
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.training.gradient_clip)  # AMP
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad(set_to_none=True)  # AMP
            else:
                loss.backward()
                if num_updates % cfg.training.grad_accumulation == 0:
                    if cfg.training.gradient_clip > 0:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.training.gradient_clip)  # fp32
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)  # fp32
            if scheduler is not None:
                scheduler.step()
