import argparse

import torch
from monai.losses import DiceCELoss
from monai.networks.nets import SwinUNETR

from optimizers.lr_scheduler import LinearWarmupCosineAnnealingLR
from trainer import run_training
from utils.data_utils import get_loader

parser = argparse.ArgumentParser(description="Swin UNETR segmentation pipeline")
parser.add_argument("--max_epochs", default=5000, type=int)
parser.add_argument("--batch_size", default=1, type=int)
parser.add_argument("--optim_lr", default=1e-4, type=float)
parser.add_argument("--optim_name", default="adamw", type=str)
parser.add_argument("--reg_weight", default=1e-5, type=float, help="regularization weight")
parser.add_argument("--momentum", default=0.99, type=float)
parser.add_argument("--noamp", action="store_true", help="do NOT use amp for training")
parser.add_argument("--distributed", action="store_true")
parser.add_argument("--feature_size", default=48, type=int)
parser.add_argument("--lrschedule", default="warmup_cosine", type=str)
parser.add_argument("--warmup_epochs", default=50, type=int)


def main_worker(gpu, args):
    torch.cuda.set_device(gpu)
    loader = get_loader(args)
    model = SwinUNETR(img_size=(96, 96, 96), in_channels=1, out_channels=14, feature_size=args.feature_size).cuda(gpu)
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[gpu], output_device=gpu)

    if args.optim_name == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=args.optim_lr, weight_decay=args.reg_weight)
    elif args.optim_name == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=args.optim_lr, weight_decay=args.reg_weight)
    elif args.optim_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=args.optim_lr, momentum=args.momentum, nesterov=True, weight_decay=args.reg_weight)
    else:
        raise ValueError("Unsupported Optimization Procedure: " + str(args.optim_name))

    if args.lrschedule == "warmup_cosine":
        scheduler = LinearWarmupCosineAnnealingLR(optimizer, warmup_epochs=args.warmup_epochs, max_epochs=args.max_epochs)
    elif args.lrschedule == "cosine_anneal":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.max_epochs)
    else:
        scheduler = None
    return run_training(model, loader[0], optimizer, DiceCELoss(to_onehot_y=True, softmax=True), args, scheduler=scheduler)


if __name__ == "__main__":
    args = parser.parse_args()
    args.amp = not args.noamp
    main_worker(0, args)
