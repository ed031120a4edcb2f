import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils import data
from torch.utils.data.distributed import DistributedSampler

from model.utils import get_model
from training.losses import DiceLoss
from training.utils import exp_lr_scheduler_with_warmup, get_optimizer, update_ema_variables


def train_net(net, trainset, args, ema_net=None):
    train_sampler = DistributedSampler(trainset) if args.distributed else None
    trainLoader = data.DataLoader(trainset, batch_size=args.batch_size, shuffle=(train_sampler is None), sampler=train_sampler)
    optimizer = get_optimizer(args, net)
    criterion = nn.CrossEntropyLoss(weight=torch.tensor(args.weight).cuda())
    criterion_dl = DiceLoss()
    scaler = torch.cuda.amp.GradScaler() if args.amp else None
    for epoch in range(args.start_epoch, args.epochs):
        train_sampler.set_epoch(epoch)
        exp_lr_scheduler_with_warmup(optimizer, init_lr=args.base_lr, epoch=epoch, warmup_epoch=5, max_epoch=args.epochs)
        train_epoch(trainLoader, net, ema_net, optimizer, epoch, criterion, criterion_dl, scaler, args)


def train_epoch(trainLoader, net, ema_net, optimizer, epoch, criterion, criterion_dl, scaler, args):
    net.train()
    for i, inputs in enumerate(trainLoader):
        img = inputs[0].cuda(args.proc_idx, non_blocking=True)
        label = inputs[1].cuda(args.proc_idx, non_blocking=True).long()
        step = i + epoch * len(trainLoader)
        optimizer.zero_grad()
        if args.amp:
            with torch.autocast(device_type="cuda", dtype=torch.float16):
                result = net(img)
                loss = criterion(result, label.squeeze(1)) + criterion_dl(result, label)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
        else:
            result = net(img)
            loss = criterion(result, label.squeeze(1)) + criterion_dl(result, label)
            loss.backward()
            optimizer.step()
        if args.ema:
            update_ema_variables(net, ema_net, args.ema_alpha, step)


def main_worker(proc_idx, args, trainset):
    args.proc_idx = proc_idx
    net = get_model(args, pretrain=args.pretrain)
    net.to("cuda")
    if args.distributed:
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
        net = DistributedDataParallel(net, device_ids=[args.proc_idx], find_unused_parameters=True)
    train_net(net, trainset, args)
