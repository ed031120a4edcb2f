import warnings

import torch

import util


def train_step(exp, x, y, model, optimizer, scaler, criterion, args):
    optimizer.zero_grad()
    if getattr(exp.config, "amp", None):
        dtype = torch.float16 if exp.config.amp == "fp16" else torch.bfloat16
        with torch.amp.autocast(device_type="cuda", dtype=dtype):
            loss = criterion(model, x, y)["loss"]
    else:
        loss = criterion(model, x)["loss"]
    if torch.isnan(loss) or torch.isinf(loss):
        warnings.warn("NaN or Inf detected in loss, skipping step")
        return None
    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
    else:
        loss.backward()
    if args.ddp:
        if hasattr(exp.config, "grad_clip"):
            torch.nn.utils.clip_grad_norm_(model.module.parameters(), exp.config.grad_clip)
    else:
        if hasattr(exp.config, "grad_clip"):
            torch.nn.utils.clip_grad_norm_(model.parameters(), exp.config.grad_clip)
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    return loss.item()


def train_epoch(exp, global_step, loader, model, optimizer, scaler, criterion, args):
    for x, y in loader:
        model.train()
        util.adjust_learning_rate_with_params(optimizer=optimizer, epoch=global_step, warmup=len(loader) * exp.config.warmup_epochs, epochs=exp.config.epochs * len(loader), min_lr=exp.config.min_lr, lr=exp.config.lr)
        train_step(exp, x.cuda(), y.cuda(), model, optimizer, scaler, criterion, args)
        global_step += 1
    return global_step
