import argparse

import timm.optim.optim_factory as optim_factory
import torch

from engine_pretrain import train_one_epoch
from util.misc import NativeScalerWithGradNormCount as NativeScaler


def get_args_parser():
    p = argparse.ArgumentParser("MAE pre-training", add_help=False)
    p.add_argument("--batch_size", default=64, type=int)
    p.add_argument("--epochs", default=400, type=int)
    p.add_argument("--accum_iter", default=1, type=int,
                   help="Accumulate gradient iterations (for increasing the effective batch size)")
    p.add_argument("--weight_decay", type=float, default=0.05)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--mask_ratio", default=0.75, type=float)
    return p


def main(args):
    model = build_model(args).cuda()
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])
    model_without_ddp = model.module
    param_groups = optim_factory.add_weight_decay(model_without_ddp, args.weight_decay)
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr, betas=(0.9, 0.95))
    loss_scaler = NativeScaler()
    for epoch in range(args.epochs):
        train_one_epoch(model, load_data(args), optimizer, "cuda", epoch, loss_scaler, args=args)


def build_model(args):
    raise NotImplementedError


def load_data(args):
    raise NotImplementedError
