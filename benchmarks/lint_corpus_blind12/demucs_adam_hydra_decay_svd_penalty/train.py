"""Paraphrase of demucs/train.py (facebookresearch/demucs): model and optimizer from the hydra config."""
import torch

from .demucs import Demucs
from .hdemucs import HDemucs
from .solver import Solver


def get_model(args):
    klass = {"demucs": Demucs, "hdemucs": HDemucs}[args.model]
    return klass(sources=list(args.dset.sources), audio_channels=args.dset.channels)


def get_solver(args, loaders):
    model = get_model(args)
    if args.optim.optim == "adam":
        optimizer = torch.optim.Adam(
            model.parameters(), lr=args.optim.lr,
            betas=(args.optim.momentum, args.optim.beta2),
            weight_decay=args.optim.weight_decay)
    elif args.optim.optim == "adamw":
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=args.optim.lr,
            betas=(args.optim.momentum, args.optim.beta2),
            weight_decay=args.optim.weight_decay)
    return Solver(loaders, model, optimizer, args)
