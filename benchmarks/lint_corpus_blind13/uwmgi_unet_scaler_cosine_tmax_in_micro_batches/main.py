import argparse

import torch.optim as optim

from models.unet import build_model
from utils.config import initialise_config
from utils.loss_func import fetch_scheduler
from src.dataloader import prepare_loaders, create_folds, get_mask_paths
from src.engine import run_training


def get_args_parser():
    parser = argparse.ArgumentParser("Set training/testing configuration", add_help=False)
    parser.add_argument("--train_bs", default=128, type=int)
    parser.add_argument("--lr", default=2e-3, type=float)
    parser.add_argument("--scheduler", default="CosineAnnealingLR", type=str)
    parser.add_argument("--epochs", default=15, type=int)
    parser.add_argument("--fold_no", default=0, type=int)
    return parser


def main(args):
    cfg = initialise_config(vars(args))
    model = build_model(cfg)
    optimizer = optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.wd)
    scheduler = fetch_scheduler(optimizer, cfg)
    fold = cfg.fold_no
    train_loader, valid_loader = prepare_loaders(fold=fold, df=create_folds(get_mask_paths(), cfg), cfg=cfg)
    model, history = run_training(model, optimizer, scheduler, device=cfg.device, num_epochs=cfg.epochs,
                                  fold=fold, train_loader=train_loader, valid_loader=valid_loader, cfg=cfg)


if __name__ == "__main__":
    parser = argparse.ArgumentParser("Segmentation training", parents=[get_args_parser()])
    args = parser.parse_args()
    main(args)
