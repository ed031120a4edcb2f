# Vision-language-action policy: a helper gives each configured submodule its own learning rate
# and puts the rest at the base rate. The groups are about learning rates only; the optimizer's
# weight decay applies to all of them, norms and biases included.
import torch
from omegaconf import OmegaConf


def build_lr_groups(model, lr_cfg):
    taken, groups = set(), []
    for path, lr in lr_cfg.items():
        if path == "base":
            continue
        module = model
        for attr in path.split("."):
            module = getattr(module, attr)
        params = [p for p in module.parameters() if p.requires_grad]
        groups.append({"params": params, "lr": lr})
        taken.update(id(p) for p in params)
    rest = [p for p in model.parameters() if id(p) not in taken and p.requires_grad]
    groups.append({"params": rest, "lr": lr_cfg["base"]})
    return groups


def make_optimizer(model, cfg):
    param_groups = build_lr_groups(model, cfg.lr)
    return torch.optim.AdamW(param_groups, lr=cfg.lr.base, weight_decay=cfg.weight_decay)


cfg = OmegaConf.create({"lr": {"base": 1e-4, "vlm": 1e-5, "action_head": 1e-4}, "weight_decay": 0.05})
