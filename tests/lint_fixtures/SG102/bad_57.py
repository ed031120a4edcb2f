"""MAE-style layer-decay groups built without their no-decay list: only 1-D tensors are kept
out, so the vision transformer's cls_token and pos_embed decay."""

import torch

import models_vit


def param_groups_lrd(model, weight_decay=0.05, no_weight_decay_list=None, layer_decay=0.75):
    no_weight_decay_list = no_weight_decay_list or []
    groups = {"decay": {"params": [], "weight_decay": weight_decay}, "no_decay": {"params": [], "weight_decay": 0.0}}
    for name, p in model.named_parameters():
        if p.ndim == 1 or name in no_weight_decay_list:
            groups["no_decay"]["params"].append(p)
        else:
            groups["decay"]["params"].append(p)
    return list(groups.values())


def main(args):
    model = models_vit.vit_base_patch16(num_classes=10)
    param_groups = param_groups_lrd(model, 0.05, layer_decay=0.65)
    return torch.optim.AdamW(param_groups, lr=1e-3)
