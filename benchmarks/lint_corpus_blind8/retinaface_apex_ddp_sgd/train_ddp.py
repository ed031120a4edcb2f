import argparse

import apex
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.optim as optim
from apex import amp

from data import cfg_mnet, cfg_re50
from layers.modules import MultiBoxLoss
from models.retinaface import RetinaFace

parser = argparse.ArgumentParser(description="Retinaface Training")
parser.add_argument("--network", default="mobile0.25")
parser.add_argument("--lr", "--learning-rate", default=1e-3, type=float)
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--weight_decay", default=5e-4, type=float)
parser.add_argument("--epochs", type=int, default=250)
parser.add_argument("--batch_size", type=int, default=64)
parser.add_argument("--use_apex", type=int, default=1)
parser.add_argument("--multiprocessing-distributed", default=1, type=int)


def main_worker(gpu, ngpus_per_node, args):
    args.gpu = gpu
    dist.init_process_group(backend="nccl", init_method="tcp://127.0.0.1:23456", world_size=args.world_size, rank=gpu)
    torch.cuda.set_device(args.gpu)
    cfg = cfg_mnet if args.network == "mobile0.25" else cfg_re50
    model = RetinaFace(cfg=cfg)
    model.cuda(args.gpu)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    if args.use_apex:
        model, optimizer = amp.initialize(model, optimizer, opt_level="O1")
        model = apex.parallel.DistributedDataParallel(model, delay_allreduce=True)
    else:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])
    criterion = MultiBoxLoss(2, 0.35, True, 0, True, 7, 0.35, False)
    train_loader = make_loader(args)
    for epoch in range(args.epochs):
        train(train_loader, model, criterion, optimizer, epoch, args)


def train(train_loader, model, criterion, optimizer, epoch, args):
    model.train()
    for batch_idx, (images, targets) in enumerate(train_loader):
        images = images.cuda(args.gpu, non_blocking=True)
        targets = [anno.cuda(args.gpu, non_blocking=True) for anno in targets]
        lr = adjust_learning_rate(epoch, args, batch_idx + 1, optimizer)
        optimizer.zero_grad()
        output = model(images)
        loss_l, loss_c, loss_landm = criterion(output, priors, targets)
        loss = 2.0 * loss_l + loss_c + loss_landm
        if args.use_apex:
            with amp.scale_loss(loss, optimizer) as scaled_loss:
                scaled_loss.backward()
        else:
            loss.backward()
        optimizer.step()


def adjust_learning_rate(epoch, args, batch_idx, optimizer):
    if epoch < 190:
        lr_adj = 1.0
    elif epoch < 220:
        lr_adj = 1e-1
    else:
        lr_adj = 1e-2
    for param_group in optimizer.param_groups:
        param_group["lr"] = args.lr * lr_adj
    return args.lr * lr_adj


if __name__ == "__main__":
    args = parser.parse_args()
    ngpus_per_node = torch.cuda.device_count()
    args.world_size = ngpus_per_node
    mp.spawn(main_worker, nprocs=ngpus_per_node, args=(ngpus_per_node, args))
