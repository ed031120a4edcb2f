# A detection transformer: the backbone gets a smaller learning rate, the split is by name only,
# and both groups inherit the optimizer's weight decay: the transformer's LayerNorms, biases and
# query embedding decay, and so do the backbone's trainable biases.
import argparse

import torch

from models import build_model


def get_args_parser():
    parser = argparse.ArgumentParser("detector", add_help=False)
    parser.add_argument("--lr", default=1e-4, type=float)
    parser.add_argument("--lr_backbone", default=1e-5, type=float)
    parser.add_argument("--weight_decay", default=1e-4, type=float)
    return parser


def main(args):
    model = build_model(args)
    param_dicts = [
        {"params": [p for n, p in model.named_parameters() if "backbone" not in n and p.requires_grad]},
        {
            "params": [p for n, p in model.named_parameters() if "backbone" in n and p.requires_grad],
            "lr": args.lr_backbone,
        },
    ]
    optimizer = torch.optim.AdamW(param_dicts, lr=args.lr, weight_decay=args.weight_decay)
    return optimizer


if __name__ == "__main__":
    main(get_args_parser().parse_args())
