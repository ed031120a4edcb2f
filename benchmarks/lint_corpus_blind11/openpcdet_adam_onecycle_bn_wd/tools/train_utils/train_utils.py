import torch
from torch.nn.utils import clip_grad_norm_


def train_one_epoch(model, optimizer, train_loader, model_func, lr_scheduler, accumulated_iter, optim_cfg, total_it_each_epoch, dataloader_iter, use_amp=False):
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp, init_scale=optim_cfg.get("LOSS_SCALE_FP16", 2.0**16))
    for _cur_it in range(total_it_each_epoch):
        try:
            batch = next(dataloader_iter)
        except StopIteration:
            dataloader_iter = iter(train_loader)
            batch = next(dataloader_iter)

        lr_scheduler.step(accumulated_iter)

        model.train()
        optimizer.zero_grad()
        with torch.cuda.amp.autocast(enabled=use_amp):
            loss, tb_dict, disp_dict = model_func(model, batch)

        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        clip_grad_norm_(model.parameters(), optim_cfg.GRAD_NORM_CLIP)
        scaler.step(optimizer)
        scaler.update()
        accumulated_iter += 1
    return accumulated_iter


def train_model(model, optimizer, train_loader, model_func, lr_scheduler, optim_cfg, start_epoch, total_epochs, start_iter, train_sampler=None, lr_warmup_scheduler=None, use_amp=False):
    accumulated_iter = start_iter
    total_it_each_epoch = len(train_loader)
    dataloader_iter = iter(train_loader)
    for cur_epoch in range(start_epoch, total_epochs):
        if train_sampler is not None:
            train_sampler.set_epoch(cur_epoch)
        if lr_warmup_scheduler is not None and cur_epoch < optim_cfg.WARMUP_EPOCH:
            cur_scheduler = lr_warmup_scheduler
        else:
            cur_scheduler = lr_scheduler
        accumulated_iter = train_one_epoch(
            model, optimizer, train_loader, model_func, cur_scheduler, accumulated_iter, optim_cfg, total_it_each_epoch, dataloader_iter, use_amp=use_amp
        )
