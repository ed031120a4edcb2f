"""The same engine with the non-final micro-batches under `model.no_sync()`: only the backward that
ends the window all-reduces."""

import contextlib

import torch
from torch.nn.parallel import DistributedDataParallel as DDP
from util.misc import NativeScalerWithGradNormCount as NativeScaler


def train_one_epoch(model, data_loader, optimizer, loss_scaler, accum_iter):
    optimizer.zero_grad()
    for data_iter_step, samples in enumerate(data_loader):
        last = (data_iter_step + 1) % accum_iter == 0
        with contextlib.nullcontext() if last else model.no_sync():
            with torch.autocast("cuda", dtype=torch.float16):
                loss = model(samples)
            loss /= accum_iter
            loss_scaler(loss, optimizer, parameters=model.parameters(), update_grad=(data_iter_step + 1) % accum_iter == 0)
        if last:
            optimizer.zero_grad()


def main(net, data_loader, accum_iter, gpu):
    model = DDP(net.cuda(gpu), device_ids=[gpu])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1.5e-4, betas=(0.9, 0.95), weight_decay=0.0)
    train_one_epoch(model, data_loader, optimizer, NativeScaler(), accum_iter)
