import argparse
import math
from typing import Any

import torch
import torch.optim as optim
import torch.optim.lr_scheduler as lr_scheduler


def parse_args():
    parser = argparse.ArgumentParser(prog="Decision Transformer")
    parser.add_argument("--trajectory_path", type=str)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--train_epochs", type=int, default=10)
    parser.add_argument("--optimizer", type=str, default="AdamW")
    parser.add_argument("--scheduler", type=str, default="CosineAnnealingWarmup")
    parser.add_argument("--warm_up_steps", type=int, default=1000)
    parser.add_argument("--learning_rate", type=float, default=0.001)
    parser.add_argument("--lr_end", type=float, default=10e-8)
    parser.add_argument("--weight_decay", type=float, default=0.01)
    return parser.parse_args()


def get_optim_groups(model, offline_config):
    decay, no_decay = set(), set()
    for mn, m in model.named_modules():
        for pn, p in m.named_parameters():
            fpn = "%s.%s" % (mn, pn) if mn else pn
            if pn.endswith("bias") or "b_" in pn:
                no_decay.add(fpn)
            elif "embedding" in pn:
                no_decay.add(fpn)
            elif pn.endswith("weight") and isinstance(m, torch.nn.Linear):
                if "embedding" not in mn:
                    decay.add(fpn)
            elif "W_" in pn:
                decay.add(fpn)
            elif pn.endswith("weight") and isinstance(m, (torch.nn.LayerNorm, torch.nn.Embedding)):
                no_decay.add(fpn)
            elif "ln1" in mn or "ln2" in mn or "ln_final" in mn:
                no_decay.add(fpn)
    param_dict = {pn: p for pn, p in model.named_parameters()}
    return [
        {"params": [param_dict[pn] for pn in sorted(decay)], "weight_decay": offline_config.weight_decay},
        {"params": [param_dict[pn] for pn in sorted(no_decay)], "weight_decay": 0.0},
    ]


def get_optimizer(optimizer_name: str, optim_groups: list[dict[str, Any]], lr: float, **kwargs):
    if optimizer_name.lower() == "sgd":
        return optim.SGD(optim_groups, lr=lr, **kwargs)
    elif optimizer_name.lower() == "adam":
        return optim.Adam(optim_groups, lr=lr, **kwargs)
    elif optimizer_name.lower() == "adamw":
        return optim.AdamW(optim_groups, lr=lr, **kwargs)
    raise ValueError(f"Unsupported optimizer: {optimizer_name}")


def configure_optimizers(model, offline_config):
    optim_groups = get_optim_groups(model, offline_config)
    return get_optimizer(offline_config.optimizer, optim_groups, lr=offline_config.lr, weight_decay=offline_config.weight_decay)


def get_scheduler(scheduler_name, optimizer, **kwargs):
    def warmup_cosine(warm_up_steps, training_steps, lr_end):
        def lr_lambda(steps):
            if steps < warm_up_steps:
                return (steps + 1) / warm_up_steps
            progress = (steps - warm_up_steps) / (training_steps - warm_up_steps)
            return lr_end + 0.5 * (1 - lr_end) * (1 + math.cos(math.pi * progress))

        return lr_lambda

    if scheduler_name is None or scheduler_name.lower() == "constant":
        return lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda steps: 1.0)
    if scheduler_name.lower() == "cosineannealing":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=kwargs.get("training_steps"), eta_min=kwargs.get("lr_end", 0))
    if scheduler_name.lower() == "cosineannealingwarmup":
        return lr_scheduler.LambdaLR(optimizer, warmup_cosine(kwargs.get("warm_up_steps", 0), kwargs.get("training_steps"), kwargs.get("lr_end", 0)))
    raise ValueError(f"Unsupported scheduler: {scheduler_name}")
