import torch
import torch.cuda.amp as amp
import torch.nn as nn

from lib.lr_scheduler import WarmupPolyLrScheduler


def set_optimizer(model, cfg):
    if hasattr(model, "get_params"):
        wd_params, nowd_params, lr_mul_wd_params, lr_mul_nowd_params = model.get_params()
        params_list = [
            {"params": wd_params},
            {"params": nowd_params, "weight_decay": 0},
            {"params": lr_mul_wd_params, "lr": cfg.lr_start * 10},
            {"params": lr_mul_nowd_params, "weight_decay": 0, "lr": cfg.lr_start * 10},
        ]
    else:
        wd_params, non_wd_params = [], []
        for name, param in model.named_parameters():
            if param.dim() == 1:
                non_wd_params.append(param)
            elif param.dim() == 2 or param.dim() == 4:
                wd_params.append(param)
        params_list = [{"params": wd_params}, {"params": non_wd_params, "weight_decay": 0}]
    optim = torch.optim.SGD(params_list, lr=cfg.lr_start, momentum=0.9, weight_decay=cfg.weight_decay)
    return optim


def train(cfg, dl, net, criteria_pre, criteria_aux, local_rank):
    optim = set_optimizer(net, cfg)
    scaler = amp.GradScaler()
    net = nn.parallel.DistributedDataParallel(net, device_ids=[local_rank], output_device=local_rank)
    lr_schdr = WarmupPolyLrScheduler(optim, power=0.9, max_iter=cfg.max_iter, warmup_iter=cfg.warmup_iters,
                                     warmup_ratio=0.1, warmup="exp", last_epoch=-1)
    for it, (im, lb) in enumerate(dl):
        im, lb = im.cuda(), torch.squeeze(lb.cuda(), 1)
        optim.zero_grad()
        with amp.autocast(enabled=cfg.use_fp16):
            logits, *logits_aux = net(im)
            loss = criteria_pre(logits, lb) + sum(c(l, lb) for c, l in zip(criteria_aux, logits_aux))
        scaler.scale(loss).backward()
        scaler.step(optim)
        scaler.update()
        lr_schdr.step()
