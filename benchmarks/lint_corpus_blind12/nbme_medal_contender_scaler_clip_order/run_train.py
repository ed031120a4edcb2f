"""Paraphrase of nbme/run_train.py: optimizer and schedule for one fold."""
import argparse

import torch.nn as nn
from transformers import AdamW

from medal_contender.model import NBMEModel, fetch_scheduler
from medal_contender.train import train_fn
from medal_contender.utils import ConfigManager


def main(cfg, train_loader, train_fold_len):
    model = NBMEModel(cfg, config_path=None, pretrained=True)
    optimizer = AdamW(
        model.parameters(),
        lr=float(cfg.train_param.lr),
        weight_decay=float(cfg.train_param.weight_decay)
    )
    num_train_steps = int(train_fold_len / cfg.train_param.batch_size * cfg.train_param.epochs)
    scheduler = fetch_scheduler(optimizer, cfg, num_train_steps=num_train_steps)
    criterion = nn.BCEWithLogitsLoss(reduction="none")
    for epoch in range(cfg.train_param.epochs):
        train_fn(cfg, train_loader, model, criterion, optimizer, epoch, scheduler, "cuda")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config-file", type=str, required=True)
    args = parser.parse_args()
    cfg = ConfigManager(args).cfg
    main(cfg, None, 0)
