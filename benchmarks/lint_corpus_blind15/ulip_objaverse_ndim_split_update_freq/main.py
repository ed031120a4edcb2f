import argparse
import math
import sys

import torch
import torch.cuda.amp as amp

import models.ULIP_models as models
from utils import utils


def get_args_parser():
    parser = argparse.ArgumentParser(description="ULIP training", add_help=False)
    parser.add_argument("--model", default="ULIP_PN_SSG", type=str)
    parser.add_argument("--epochs", default=250, type=int)
    parser.add_argument("--batch-size", default=64, type=int)
    parser.add_argument("--lr", default=3e-3, type=float)
    parser.add_argument("--lr-end", default=1e-5, type=float)
    parser.add_argument("--update-freq", default=1, type=int)
    parser.add_argument("--wd", default=0.1, type=float)
    parser.add_argument("--betas", default=(0.9, 0.98), nargs=2, type=float)
    parser.add_argument("--eps", default=1e-8, type=float)
    parser.add_argument("--disable-amp", action="store_true")
    parser.add_argument("--evaluate_3d", action="store_true")
    parser.add_argument("--gpu", default=None, type=int)
    return parser


def main(args):
    utils.init_distributed_mode(args)
    model = getattr(models, args.model)(args=args)
    model.cuda(args.gpu)
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu], bucket_cap_mb=200)
    criterion = models.get_loss(args).cuda(args.gpu)

    p_wd, p_non_wd = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2 or "bias" in n or "ln" in n or "bn" in n:
            p_non_wd.append(p)
        else:
            p_wd.append(p)
    optim_params = [{"params": p_wd, "weight_decay": args.wd}, {"params": p_non_wd, "weight_decay": 0}]
    optimizer = torch.optim.AdamW(optim_params, lr=args.lr, betas=args.betas, eps=args.eps, weight_decay=args.wd)
    scaler = amp.GradScaler(enabled=not args.disable_amp)

    train_loader = utils.build_train_loader(args)
    lr_schedule = utils.cosine_scheduler(args.lr, args.lr_end, args.epochs, len(train_loader) // args.update_freq)
    for epoch in range(args.epochs):
        train(train_loader, model, criterion, optimizer, scaler, epoch, lr_schedule, args)


def train(train_loader, model, criterion, optimizer, scaler, epoch, lr_schedule, args):
    iters_per_epoch = len(train_loader) // args.update_freq
    model.train()
    for data_iter, inputs in enumerate(train_loader):
        optim_iter = data_iter // args.update_freq
        it = iters_per_epoch * epoch + optim_iter
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr_schedule[it]
        inputs = [t.cuda(args.gpu, non_blocking=True) for t in (inputs[3], inputs[2], inputs[4])]
        with amp.autocast(enabled=not args.disable_amp):
            outputs = model(*inputs)
            loss_dict = criterion(outputs)
            loss = loss_dict["loss"]
            loss /= args.update_freq
        if not math.isfinite(loss.item()):
            sys.exit(1)
        scaler.scale(loss).backward()
        if (data_iter + 1) % args.update_freq != 0:
            continue
        scaler.step(optimizer)
        scaler.update()
        model.zero_grad(set_to_none=True)
        utils.get_model(model).logit_scale.data.clamp_(0, 4.6052)


if __name__ == "__main__":
    parser = argparse.ArgumentParser("ULIP", parents=[get_args_parser()])
    main(parser.parse_args())
