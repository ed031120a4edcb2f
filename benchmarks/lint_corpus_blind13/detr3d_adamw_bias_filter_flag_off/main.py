import argparse

import torch

from engine import train_one_epoch
from models import build_model
from optimizer import build_optimizer


def make_args_parser():
    parser = argparse.ArgumentParser("3D Detection Using Transformers", add_help=False)
    parser.add_argument("--base_lr", default=5e-4, type=float)
    parser.add_argument("--warm_lr", default=1e-6, type=float)
    parser.add_argument("--final_lr", default=1e-6, type=float)
    parser.add_argument("--lr_scheduler", default="cosine", type=str)
    parser.add_argument("--weight_decay", default=0.1, type=float)
    parser.add_argument("--filter_biases_wd", default=False, action="store_true")
    parser.add_argument("--clip_gradient", default=0.1, type=float)
    parser.add_argument("--dataset_name", required=True, type=str, choices=["scannet", "sunrgbd"])
    parser.add_argument("--max_epoch", default=720, type=int)
    parser.add_argument("--ngpus", default=1, type=int)
    return parser


def main(local_rank, args):
    model, _ = build_model(args, None)
    model = model.cuda(local_rank)
    model_no_ddp = model
    if args.ngpus > 1:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank])
    optimizer = build_optimizer(args, model_no_ddp)
    for epoch in range(args.max_epoch):
        train_one_epoch(args, epoch, model, optimizer)


if __name__ == "__main__":
    args = make_args_parser().parse_args()
    main(0, args)
