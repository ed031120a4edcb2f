import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch.cuda.amp import autocast

from conf import settings
from utils import get_network


def train(epoch, args):
    net.train()
    for batch_index, (images, labels) in enumerate(training_loader):
        labels = labels.cuda(non_blocking=True)
        images = images.cuda(non_blocking=True)
        optimizer.zero_grad()
        with autocast():
            outputs = net(images)
            loss = loss_function(outputs, labels)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-net", type=str, required=True)
    parser.add_argument("-b", type=int, default=256)
    parser.add_argument("-lr", type=float, default=0.1)
    parser.add_argument("--local_rank", default=-1, type=int)
    args = parser.parse_args()
    torch.distributed.init_process_group(backend="nccl")
    torch.cuda.set_device(args.local_rank)

    net = get_network(args)
    net.cuda()
    net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    net = torch.nn.parallel.DistributedDataParallel(net, device_ids=[args.local_rank])
    training_loader = get_training_dataloader(batch_size=args.b // torch.cuda.device_count())

    loss_function = CrossEntropyLabelSmooth()
    optimizer = optim.SGD(
        [{"params": net.parameters(), "initial_lr": args.lr}], momentum=0.9, lr=args.lr, weight_decay=1e-5
    )
    train_scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings.EPOCH, eta_min=0, last_epoch=0)
    scaler = torch.cuda.amp.GradScaler()

    for epoch in range(1, settings.EPOCH + 1):
        train(epoch, args)
        train_scheduler.step()
