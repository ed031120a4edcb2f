import argparse
import math
import sys

import timm.optim.optim_factory as optim_factory
import torch
from torch.distributed.fsdp import FullyShardedDataParallel
from torch.distributed.fsdp.wrap import default_auto_wrap_policy

import misc
from misc import NativeScalerWithGradNormCount as NativeScaler
from models import SimSiam, vimlp_huge


def get_args_parser():
    parser = argparse.ArgumentParser("SimSiam pre-training", add_help=False)
    parser.add_argument("--batch_size_per_gpu", default=256, type=int)
    parser.add_argument("--epochs", default=999, type=int)
    parser.add_argument("--accum_iter", default=1, type=int)
    parser.add_argument("--weight_decay", type=float, default=0.05)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--dim", default=2048, type=int)
    parser.add_argument("--pred_dim", default=512, type=int)
    return parser


def main(args):
    misc.init_distributed_mode(args)
    device = torch.device("cuda")
    data_loader = make_webloader(args)
    base_encoder = vimlp_huge()
    model = SimSiam(base_encoder, args.dim, args.pred_dim)
    model.to(device)
    model = FullyShardedDataParallel(model, fsdp_auto_wrap_policy=default_auto_wrap_policy)
    model_without_ddp = model.module
    criterion = torch.nn.CosineSimilarity(dim=1).cuda(args.gpu)

    param_groups = optim_factory.add_weight_decay(model_without_ddp, args.weight_decay)
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr, betas=(0.9, 0.95))
    loss_scaler = NativeScaler()

    for _ in range(args.epochs):
        train_one_epoch(model, data_loader, optimizer, criterion, device, loss_scaler, args=args)


def train_one_epoch(model, data_loader, optimizer, criterion, device, loss_scaler, args=None):
    model.train(True)
    accum_iter = args.accum_iter
    optimizer.zero_grad()
    for data_iter_step, samples in enumerate(data_loader):
        samples[0] = samples[0].to(device, non_blocking=True)
        samples[1] = samples[1].to(device, non_blocking=True)
        with torch.cuda.amp.autocast():
            p1, p2, z1, z2 = model(x1=samples[0], x2=samples[1])
            loss = -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            sys.exit(1)
        loss = loss / accum_iter
        loss_scaler(loss, optimizer, parameters=model.parameters(), update_grad=(data_iter_step + 1) % accum_iter == 0)
        if (data_iter_step + 1) % accum_iter == 0:
            optimizer.zero_grad()


if __name__ == "__main__":
    args = get_args_parser().parse_args()
    main(args)
