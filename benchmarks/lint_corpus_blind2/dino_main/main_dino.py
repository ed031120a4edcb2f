"""DINO self-distillation (student / EMA teacher), ViT by default."""

import argparse

import torch
from torch import nn

import utils
from vision_transformer import DINOHead, MultiCropWrapper, vit_small


def get_args_parser():
    parser = argparse.ArgumentParser("DINO", add_help=False)
    parser.add_argument("--optimizer", default="adamw", type=str, choices=["adamw", "sgd", "lars"])
    parser.add_argument("--use_fp16", type=bool, default=True)
    parser.add_argument("--weight_decay", type=float, default=0.04)
    parser.add_argument("--weight_decay_end", type=float, default=0.4)
    parser.add_argument("--clip_grad", type=float, default=3.0)
    parser.add_argument("--batch_size_per_gpu", default=64, type=int)
    parser.add_argument("--epochs", default=100, type=int)
    parser.add_argument("--lr", default=0.0005, type=float)
    parser.add_argument("--min_lr", type=float, default=1e-6)
    parser.add_argument("--warmup_epochs", default=10, type=int)
    return parser


def train_dino(args, data_loader, dino_loss):
    student = MultiCropWrapper(vit_small(), DINOHead(384, 65536)).cuda()
    teacher = MultiCropWrapper(vit_small(), DINOHead(384, 65536)).cuda()
    student = nn.parallel.DistributedDataParallel(student, device_ids=[args.gpu])
    teacher.load_state_dict(student.module.state_dict())
    for p in teacher.parameters():
        p.requires_grad = False

    params_groups = utils.get_params_groups(student)
    if args.optimizer == "adamw":
        optimizer = torch.optim.AdamW(params_groups)  # to use with ViTs
    elif args.optimizer == "sgd":
        optimizer = torch.optim.SGD(params_groups, lr=0, momentum=0.9)  # lr is set by scheduler
    fp16_scaler = None
    if args.use_fp16:
        fp16_scaler = torch.cuda.amp.GradScaler()

    world = torch.distributed.get_world_size()
    lr_schedule = utils.cosine_scheduler(
        args.lr * (args.batch_size_per_gpu * world) / 256.0,
        args.min_lr,
        args.epochs,
        len(data_loader),
        warmup_epochs=args.warmup_epochs,
    )
    wd_schedule = utils.cosine_scheduler(args.weight_decay, args.weight_decay_end, args.epochs, len(data_loader))

    for epoch in range(args.epochs):
        train_one_epoch(student, teacher, dino_loss, data_loader, optimizer, lr_schedule, wd_schedule, epoch, fp16_scaler, args)


def train_one_epoch(student, teacher, dino_loss, data_loader, optimizer, lr_schedule, wd_schedule, epoch, fp16_scaler, args):
    for it, (images, _) in enumerate(data_loader):
        it = len(data_loader) * epoch + it  # global training iteration
        for i, param_group in enumerate(optimizer.param_groups):
            param_group["lr"] = lr_schedule[it]
            if i == 0:  # only the first group is regularized
                param_group["weight_decay"] = wd_schedule[it]

        images = [im.cuda(non_blocking=True) for im in images]
        with torch.cuda.amp.autocast(fp16_scaler is not None):
            teacher_output = teacher(images[:2])
            student_output = student(images)
            loss = dino_loss(student_output, teacher_output, epoch)

        # student update
        optimizer.zero_grad()
        if fp16_scaler is None:
            loss.backward()
            if args.clip_grad:
                utils.clip_gradients(student, args.clip_grad)
            optimizer.step()
        else:
            fp16_scaler.scale(loss).backward()
            if args.clip_grad:
                fp16_scaler.unscale_(optimizer)  # unscale the gradients of optimizer's assigned params in-place
                utils.clip_gradients(student, args.clip_grad)
            fp16_scaler.step(optimizer)
            fp16_scaler.update()
