import argparse

import timm.optim.optim_factory as optim_factory
import torch

import util.misc as misc
from engine_pretrain import train_one_epoch
from model import models_sc
from util.misc import NativeScalerWithGradNormCount as NativeScaler


def get_args_parser():
    parser = argparse.ArgumentParser("scMETH pre-training", add_help=False)
    parser.add_argument("--batch_size", default=8, type=int)
    parser.add_argument("--epochs", default=20, type=int)
    parser.add_argument("--accum_iter", default=1, type=int)
    parser.add_argument("--model", default="mae_vit_large_patch16", type=str)
    parser.add_argument("--mask_ratio", default=0.4, type=float)
    parser.add_argument("--weight_decay", type=float, default=0.05)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--blr", type=float, default=1e-3)
    parser.add_argument("--warmup_epochs", type=int, default=2)
    return parser


def main(args, vocab, data_loader_train):
    misc.init_distributed_mode(args)
    device = torch.device("cuda")
    model = models_sc.__dict__[args.model](vocab=vocab)
    model.to(device)
    model_without_ddp = model
    if args.lr is None:
        args.lr = args.blr * args.batch_size * args.accum_iter * misc.get_world_size() / 256
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu], find_unused_parameters=True)
        model_without_ddp = model.module
    param_groups = optim_factory.add_weight_decay(model_without_ddp, args.weight_decay)
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr, betas=(0.9, 0.95))
    loss_scaler = NativeScaler()
    for epoch in range(args.epochs):
        if args.distributed:
            data_loader_train.sampler.set_epoch(epoch)
        train_one_epoch(model, data_loader_train, optimizer, device, epoch, loss_scaler, args=args)


if __name__ == "__main__":
    main(get_args_parser().parse_args(), None, None)
