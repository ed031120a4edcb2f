import math
import sys

import torch
import torch.nn as nn

import main_run
import utils
import vision_transformer as vit_o


def train_dino(args):
    utils.init_distributed_mode(args)
    data_loader = make_cxr_loader(args)
    student = vit_o.__dict__[args.arch](patch_size=args.patch_size, drop_path_rate=args.drop_path_rate)
    student = student.cuda()
    student = nn.parallel.DistributedDataParallel(student, device_ids=[args.gpu], find_unused_parameters=True)
    bce_loss = nn.BCEWithLogitsLoss()
    params_groups = utils.get_params_groups(student)
    if args.optimizer == "adamw":
        optimizer = torch.optim.AdamW(params_groups)
    elif args.optimizer == "sgd":
        optimizer = torch.optim.SGD(params_groups, lr=0, momentum=0.9)
    fp16_scaler = None
    if args.use_fp16:
        fp16_scaler = torch.cuda.amp.GradScaler()
    lr_schedule = utils.cosine_scheduler(args.lr, args.min_lr, args.epochs, len(data_loader), warmup_epochs=args.warmup_epochs)
    wd_schedule = utils.cosine_scheduler(args.weight_decay, args.weight_decay_end, args.epochs, len(data_loader))
    for epoch in range(args.epochs):
        train_one_epoch(student, bce_loss, data_loader, optimizer, lr_schedule, wd_schedule, epoch, fp16_scaler, args)


def train_one_epoch(student, bce_loss, data_loader, optimizer, lr_schedule, wd_schedule, epoch, fp16_scaler, args):
    for it, (images, labels) in enumerate(data_loader):
        it = len(data_loader) * epoch + it
        for i, param_group in enumerate(optimizer.param_groups):
            param_group["lr"] = lr_schedule[it]
            if i == 0:
                param_group["weight_decay"] = wd_schedule[it]
        images = [im.cuda(non_blocking=True) for im in images]
        labels = labels.float().cuda()
        with torch.cuda.amp.autocast(fp16_scaler is not None):
            student_cls = student(images[1])
            loss = bce_loss(student_cls.view(-1), labels.view(-1))
        if not math.isfinite(loss.item()):
            sys.exit(1)
        optimizer.zero_grad()
        if fp16_scaler is None:
            loss.backward()
            if args.clip_grad:
                param_norms = utils.clip_gradients(student, args.clip_grad)
            optimizer.step()
        else:
            fp16_scaler.scale(loss).backward()
            if args.clip_grad:
                fp16_scaler.unscale_(optimizer)
                param_norms = utils.clip_gradients(student, args.clip_grad)
            fp16_scaler.step(optimizer)
            fp16_scaler.update()


if __name__ == "__main__":
    args = main_run.get_args_parser().parse_args()
    train_dino(args)
