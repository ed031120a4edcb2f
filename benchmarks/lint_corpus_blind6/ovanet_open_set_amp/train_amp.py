import torch
from torch import nn
from torch.cuda.amp import GradScaler, autocast

from utils.defaults_new import get_dataloaders, get_models_new
from utils.loss import open_entropy, ova_loss
from utils.lr_schedule import inv_lr_scheduler


def train(conf, inputs, multi=0.1, no_adapt=False):
    source_loader, target_loader = get_dataloaders(inputs)
    G, C1, C2, opt_g, opt_c, param_lr_g, param_lr_c = get_models_new(inputs)
    scaler = GradScaler()
    criterion = nn.CrossEntropyLoss().cuda()
    data_iter_s, data_iter_t = iter(source_loader), iter(target_loader)
    for step in range(conf.train.min_step + 1):
        G.train()
        C1.train()
        C2.train()
        data_s, data_t = next(data_iter_s), next(data_iter_t)
        inv_lr_scheduler(param_lr_g, opt_g, step, init_lr=conf.train.lr, max_iter=conf.train.min_step)
        inv_lr_scheduler(param_lr_c, opt_c, step, init_lr=conf.train.lr, max_iter=conf.train.min_step)
        img_s, label_s, img_t = data_s[0].cuda(), data_s[1].cuda(), data_t[0].cuda()
        opt_g.zero_grad()
        opt_c.zero_grad()
        C2.module.weight_norm()
        with autocast():
            feat = G(img_s)
            out_s = C1(feat)
            out_open = C2(feat).view(out_s.size(0), 2, -1)
            pos, neg = ova_loss(out_open, label_s)
            total = criterion(out_s, label_s) + 0.5 * (pos + neg)
            if not no_adapt:
                total = total + multi * open_entropy(C2(G(img_t)).view(img_t.size(0), 2, -1))
        scaler.scale(total).backward()
        scaler.step(opt_g)
        scaler.step(opt_c)
        opt_g.zero_grad()
        opt_c.zero_grad()
        scaler.update()
