import argparse

import torch
import torch.distributed as distrib
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.utils import clip_grad_norm_

from models_con.flow_model import FlowModel
from pepflow.utils.misc import inf_iterator, load_config
from pepflow.utils.train import recursive_to, sum_weighted_losses


def get_optimizer(cfg, model):
    if cfg.type == "adam":
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(cfg.beta1, cfg.beta2))
    elif cfg.type == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    raise NotImplementedError(cfg.type)


def get_scheduler(cfg, optimizer):
    if cfg.type == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=cfg.factor, patience=cfg.patience, min_lr=cfg.min_lr)
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=cfg.gamma)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, default="./configs/learn_angle.yaml")
    parser.add_argument("--local-rank", type=int)
    args = parser.parse_args()
    local_rank = args.local_rank
    torch.cuda.set_device(local_rank)
    config, config_name = load_config(args.config)
    distrib.init_process_group(backend="nccl")
    train_loader = None
    train_iterator = inf_iterator(train_loader)
    model = DDP(FlowModel(config.model).to(local_rank), device_ids=[local_rank])
    optimizer = get_optimizer(config.train.optimizer, model)
    scheduler = get_scheduler(config.train.scheduler, optimizer)
    optimizer.zero_grad()

    def train(it):
        model.train()
        batch = recursive_to(next(train_iterator), local_rank)
        loss_dict = model(batch)
        loss = sum_weighted_losses(loss_dict, config.train.loss_weights)
        loss.backward()
        for param in model.parameters():
            if param.grad is not None:
                if torch.isnan(param.grad).any():
                    param.grad[torch.isnan(param.grad)] = 0
        orig_grad_norm = clip_grad_norm_(model.parameters(), config.train.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad()
        return orig_grad_norm

    for it in range(1, config.train.max_iters + 1):
        train(it)
