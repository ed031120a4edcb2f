# The same per-module learning rates, each module split by role: weight matrices decay, the
# one-dimensional parameters (biases, norm gains) go to a twin group without decay.
import torch
from omegaconf import OmegaConf


def build_lr_groups(model, lr_cfg, weight_decay):
    taken, groups = set(), []
    for path, lr in lr_cfg.items():
        if path == "base":
            continue
        module = model
        for attr in path.split("."):
            module = getattr(module, attr)
        params = [p for p in module.parameters() if p.requires_grad]
        groups.append({"params": [p for p in params if p.ndim >= 2], "lr": lr, "weight_decay": weight_decay})
        groups.append({"params": [p for p in params if p.ndim < 2], "lr": lr, "weight_decay": 0.0})
        taken.update(id(p) for p in params)
    rest = [p for p in model.parameters() if id(p) not in taken and p.requires_grad]
    groups.append({"params": [p for p in rest if p.ndim >= 2], "lr": lr_cfg["base"], "weight_decay": weight_decay})
    groups.append({"params": [p for p in rest if p.ndim < 2], "lr": lr_cfg["base"], "weight_decay": 0.0})
    return groups


def make_optimizer(model, cfg):
    param_groups = build_lr_groups(model, cfg.lr, cfg.weight_decay)
    return torch.optim.AdamW(param_groups, lr=cfg.lr.base)


cfg = OmegaConf.create({"lr": {"base": 1e-4, "vlm": 1e-5, "action_head": 1e-4}, "weight_decay": 0.05})
