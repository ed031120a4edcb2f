import math

import torch

import util.lr_sched as lr_sched


def train_one_epoch(model, data_loader, optimizer, device, epoch, loss_scaler, args=None, fp32=False, num_batches=None):
    model.train(True)
    accum_iter = args.accum_iter
    if num_batches is None:
        num_batches = len(data_loader)
    optimizer.zero_grad()
    for data_iter_step, batch in enumerate(data_loader):
        if data_iter_step % accum_iter == 0:
            lr_sched.adjust_learning_rate(optimizer, data_iter_step / num_batches + epoch, args)
        samples = batch["image"].to(device, non_blocking=True)
        img_mask = batch["mask"].to(device, non_blocking=True)
        with torch.autocast(device_type=device.type, enabled=not fp32):
            loss, _, _ = model(samples, mask_ratio=args.mask_ratio, img_mask=img_mask)
        if not math.isfinite(loss.item()):
            raise Exception(f"Loss is {loss.item()}, stopping training")
        loss /= accum_iter
        loss_scaler(loss, optimizer, parameters=model.parameters(), update_grad=(data_iter_step + 1) % accum_iter == 0, clip_grad=args.clip_grad)
        if (data_iter_step + 1) % accum_iter == 0:
            optimizer.zero_grad()
