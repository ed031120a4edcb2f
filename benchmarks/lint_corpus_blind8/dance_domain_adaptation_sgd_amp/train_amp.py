import argparse

import easydict
import torch
import torch.nn as nn
import torch.optim as optim
import yaml
from torch.cuda.amp import GradScaler, autocast

from utils.lr_schedule import inv_lr_scheduler
from utils.loss import entropy, entropy_margin
from utils.utils import get_model_mme

parser = argparse.ArgumentParser(description="Pytorch DA")
parser.add_argument("--config", type=str, default="config.yaml")
args = parser.parse_args()
conf = easydict.EasyDict(yaml.safe_load(open(args.config)))

G, C1 = get_model_mme(conf.model.base_model, num_class=conf.num_class, temp=conf.model.temp)
G.cuda()
C1.cuda()
params = []
for key, value in dict(G.named_parameters()).items():
    if value.requires_grad and "features" in key:
        if "bias" in key:
            params += [{"params": [value], "lr": conf.train.multi, "weight_decay": conf.train.weight_decay}]
        else:
            params += [{"params": [value], "lr": conf.train.multi, "weight_decay": conf.train.weight_decay}]
    else:
        if "bias" in key:
            params += [{"params": [value], "lr": 1.0, "weight_decay": conf.train.weight_decay}]
        else:
            params += [{"params": [value], "lr": 1.0, "weight_decay": conf.train.weight_decay}]

opt_g = optim.SGD(params, momentum=conf.train.sgd_momentum, weight_decay=0.0005, nesterov=True)
opt_c1 = optim.SGD(list(C1.parameters()), lr=1.0, momentum=conf.train.sgd_momentum, weight_decay=0.0005, nesterov=True)
G = nn.DataParallel(G)
C1 = nn.DataParallel(C1)
param_lr_g = [group["lr"] for group in opt_g.param_groups]
param_lr_f = [group["lr"] for group in opt_c1.param_groups]


def train():
    scaler = GradScaler()
    criterion = nn.CrossEntropyLoss().cuda()
    data_iter_s = iter(source_loader)
    data_iter_t = iter(target_loader)
    for step in range(conf.train.min_step + 1):
        data_t = next(data_iter_t)
        data_s = next(data_iter_s)
        inv_lr_scheduler(param_lr_g, opt_g, step, init_lr=conf.train.lr, max_iter=conf.train.min_step)
        inv_lr_scheduler(param_lr_f, opt_c1, step, init_lr=conf.train.lr, max_iter=conf.train.min_step)
        img_s, label_s = data_s[0].cuda(), data_s[1].cuda()
        img_t = data_t[0].cuda()
        opt_g.zero_grad()
        opt_c1.zero_grad()
        C1.module.weight_norm()
        with autocast():
            feat = G(img_s)
            out_s = C1(feat)
            loss_s = criterion(out_s, label_s)
            out_t = C1(G(img_t))
            loss_ent = conf.train.eta * entropy_margin(out_t, conf.train.thr, conf.train.margin)
            all = loss_s + loss_ent
        scaler.scale(all).backward()
        scaler.step(opt_g)
        scaler.step(opt_c1)
        opt_g.zero_grad()
        opt_c1.zero_grad()
        scaler.update()


train()
