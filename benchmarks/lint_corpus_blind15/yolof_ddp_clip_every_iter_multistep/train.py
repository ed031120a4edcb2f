import argparse

import torch
from torch.nn.parallel import DistributedDataParallel as DDP

from config.yolof_config import yolof_config
from models.yolof import build_model
from models.yolof.criterion import build_criterion
from utils import distributed_utils
from utils.misc import CollateFunc, build_dataloader, build_dataset, get_total_grad_norm
from utils.solver.optimizer import build_optimizer
from utils.solver.warmup_schedule import build_warmup


def parse_args():
    parser = argparse.ArgumentParser(description="YOLOF Detection")
    parser.add_argument("--cuda", action="store_true", default=False)
    parser.add_argument("-bs", "--batch_size", default=16, type=int)
    parser.add_argument("--schedule", type=str, default="1x")
    parser.add_argument("--grad_clip_norm", default=-1.0, type=float)
    parser.add_argument("-v", "--version", default="yolof50")
    parser.add_argument("--no_warmup", action="store_true", default=False)
    parser.add_argument("-dist", "--distributed", action="store_true", default=False)
    return parser.parse_args()


def train():
    args = parse_args()
    if args.distributed:
        distributed_utils.init_distributed_mode(args)
    device = torch.device("cuda" if args.cuda else "cpu")
    cfg = yolof_config[args.version]
    dataset, evaluator, num_classes = build_dataset(cfg, args, device)
    dataloader = build_dataloader(args, dataset, args.batch_size, CollateFunc())
    criterion = build_criterion(args=args, device=device, cfg=cfg, num_classes=num_classes)
    model = build_model(args=args, cfg=cfg, device=device, num_classes=num_classes, trainable=True)
    model = model.to(device).train()
    model_without_ddp = model
    if args.distributed:
        model = DDP(model, device_ids=[args.gpu])
        model_without_ddp = model.module

    base_lr = cfg["base_lr"] * args.batch_size * distributed_utils.get_world_size()
    backbone_lr = base_lr * cfg["bk_lr_ratio"]
    optimizer = build_optimizer(cfg, model_without_ddp, base_lr, backbone_lr)
    lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer=optimizer, milestones=cfg["epoch"][args.schedule]["lr_epoch"])
    warmup_scheduler = build_warmup(cfg, base_lr)

    max_epoch = cfg["epoch"][args.schedule]["max_epoch"]
    epoch_size = len(dataloader)
    warmup = not args.no_warmup
    for epoch in range(max_epoch):
        for iter_i, (images, targets, masks) in enumerate(dataloader):
            ni = iter_i + epoch * epoch_size
            if ni < cfg["wp_iter"] and warmup:
                warmup_scheduler.warmup(ni, optimizer)
            elif ni == cfg["wp_iter"] and warmup:
                warmup = False
                warmup_scheduler.set_lr(optimizer, base_lr, base_lr)
            images, masks = images.to(device), masks.to(device)
            targets = [{k: v.to(device) for k, v in t.items()} for t in targets]
            outputs = model(images, mask=masks)
            loss_dict = criterion(outputs, targets)
            losses = loss_dict["total_loss"]
            if torch.isnan(losses):
                continue
            losses.backward()
            if args.grad_clip_norm > 0.0:
                total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip_norm)
            else:
                total_norm = get_total_grad_norm(model.parameters())
            optimizer.step()
            optimizer.zero_grad()
        lr_scheduler.step()


if __name__ == "__main__":
    train()
