import argparse

import torch

from engine import train_one_epoch
from optim_factory import create_optimizer
from utils import NativeScalerWithGradNormCount as NativeScaler


def get_args_parser():
    p = argparse.ArgumentParser("ConvNeXt training and evaluation script", add_help=False)
    p.add_argument("--batch_size", default=64, type=int)
    p.add_argument("--epochs", default=300, type=int)
    p.add_argument("--update_freq", default=1, type=int, help="gradient accumulation steps")
    p.add_argument("--weight_decay", type=float, default=0.05)
    p.add_argument("--use_amp", type=bool, default=False)
    return p


def main(args):
    model = build_model(args).cuda()
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])
    model_without_ddp = model.module
    optimizer = create_optimizer(args, model_without_ddp)
    loss_scaler = NativeScaler()
    for epoch in range(args.epochs):
        train_one_epoch(model, torch.nn.CrossEntropyLoss(), load_data(args), optimizer, "cuda", epoch,
                        loss_scaler, update_freq=args.update_freq, use_amp=args.use_amp)


def build_model(args):
    raise NotImplementedError


def load_data(args):
    raise NotImplementedError
