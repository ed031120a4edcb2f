import torch
import torch.nn as nn

from openpoints.optim import build_optimizer_from_cfg
from openpoints.scheduler import build_scheduler_from_cfg
from openpoints.models import build_model_from_cfg
from openpoints.dataset import build_dataloader_from_cfg


def main(gpu, cfg):
    model = build_model_from_cfg(cfg.model).to(cfg.rank)
    if cfg.sync_bn:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    if cfg.distributed:
        torch.cuda.set_device(gpu)
        model = nn.parallel.DistributedDataParallel(model.cuda(), device_ids=[cfg.rank], output_device=cfg.rank)

    optimizer = build_optimizer_from_cfg(model, lr=cfg.lr, **cfg.optimizer)
    scheduler = build_scheduler_from_cfg(cfg, optimizer)
    train_loader = build_dataloader_from_cfg(cfg.batch_size, cfg.dataset, cfg.dataloader, split="train",
                                             distributed=cfg.distributed)
    model.zero_grad()
    for epoch in range(cfg.start_epoch, cfg.epochs + 1):
        if cfg.distributed:
            train_loader.sampler.set_epoch(epoch)
        train_one_epoch(model, train_loader, optimizer, scheduler, epoch, cfg)
        if cfg.sched_on_epoch:
            scheduler.step(epoch)


def train_one_epoch(model, train_loader, optimizer, scheduler, epoch, cfg):
    model.train()
    num_iter = 0
    for idx, data in enumerate(train_loader):
        for key in data.keys():
            data[key] = data[key].cuda(non_blocking=True)
        num_iter += 1
        target = data["y"]
        logits, loss = model.get_logits_loss(data, target) if not hasattr(model, "module") else model.module.get_logits_loss(data, target)
        loss.backward()

        if num_iter == cfg.step_per_update:
            if cfg.get("grad_norm_clip") is not None and cfg.grad_norm_clip > 0.:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_norm_clip, norm_type=2)
            num_iter = 0
            optimizer.step()
            model.zero_grad()
            if not cfg.sched_on_epoch:
                scheduler.step(epoch)
