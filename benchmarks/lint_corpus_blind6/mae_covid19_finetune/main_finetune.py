import argparse

import torch

import models_vit
from engine_finetune import train_one_epoch
from util import lr_decay as lrd
from util import misc
from util.misc import NativeScalerWithGradNormCount as NativeScaler


def get_args_parser():
    p = argparse.ArgumentParser("MAE fine-tuning", add_help=False)
    p.add_argument("--batch_size", default=16, type=int)
    p.add_argument("--epochs", default=1000, type=int)
    p.add_argument("--accum_iter", default=1, type=int)
    p.add_argument("--model", default="vit_base_patch16", type=str)
    p.add_argument("--clip_grad", type=float, default=None)
    p.add_argument("--weight_decay", type=float, default=0.05)
    p.add_argument("--blr", type=float, default=1e-3)
    p.add_argument("--layer_decay", type=float, default=0.75)
    p.add_argument("--world_size", default=1, type=int)
    return p


def main(args):
    misc.init_distributed_mode(args)
    device = torch.device("cuda")
    data_loader_train = args.make_loader()
    model = models_vit.__dict__[args.model](num_classes=2, global_pool=True).to(device)
    model_without_ddp = model
    args.lr = args.blr * args.batch_size * args.accum_iter * misc.get_world_size() / 256
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])
        model_without_ddp = model.module
    param_groups = lrd.param_groups_lrd(model_without_ddp, args.weight_decay, no_weight_decay_list=model_without_ddp.no_weight_decay(), layer_decay=args.layer_decay)
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr)
    loss_scaler = NativeScaler()
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        train_one_epoch(model, criterion, data_loader_train, optimizer, device, epoch, loss_scaler, args.clip_grad, None, args=args)


if __name__ == "__main__":
    main(get_args_parser().parse_args())
