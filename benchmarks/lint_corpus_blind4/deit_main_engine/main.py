import argparse

import torch
from timm.loss import LabelSmoothingCrossEntropy
from timm.models import create_model
from timm.optim import create_optimizer
from timm.scheduler import create_scheduler
from timm.utils import NativeScaler

import utils
from engine import train_one_epoch


def get_args_parser():
    parser = argparse.ArgumentParser("DeiT training and evaluation script", add_help=False)
    parser.add_argument("--batch-size", default=64, type=int)
    parser.add_argument("--epochs", default=300, type=int)
    parser.add_argument("--model", default="deit_base_patch16_224", type=str)
    parser.add_argument("--opt", default="adamw", type=str)
    parser.add_argument("--clip-grad", type=float, default=None)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--sched", default="cosine", type=str)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--device", default="cuda")
    return parser


def main(args, data_loader_train):
    utils.init_distributed_mode(args)
    device = torch.device(args.device)
    model = create_model(args.model, pretrained=False, num_classes=1000)
    model.to(device)
    model_without_ddp = model
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])
        model_without_ddp = model.module
    args.lr = args.lr * args.batch_size * utils.get_world_size() / 512.0
    optimizer = create_optimizer(args, model)
    loss_scaler = NativeScaler()
    lr_scheduler, _ = create_scheduler(args, optimizer)
    criterion = LabelSmoothingCrossEntropy()
    for epoch in range(args.epochs):
        train_one_epoch(model, criterion, data_loader_train, optimizer, device, epoch, loss_scaler, args.clip_grad)
        lr_scheduler.step(epoch)


if __name__ == "__main__":
    parser = argparse.ArgumentParser("DeiT", parents=[get_args_parser()])
    main(parser.parse_args(), [])
