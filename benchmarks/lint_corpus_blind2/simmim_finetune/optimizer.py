from torch import optim as optim


def build_finetune_optimizer(config, model):
    skip = model.no_weight_decay() if hasattr(model, "no_weight_decay") else {}
    skip_keywords = model.no_weight_decay_keywords() if hasattr(model, "no_weight_decay_keywords") else {}
    parameters = get_finetune_param_groups(model, config.TRAIN.BASE_LR, config.TRAIN.WEIGHT_DECAY, skip, skip_keywords)
    optimizer = None
    if config.TRAIN.OPTIMIZER.NAME.lower() == "adamw":
        optimizer = optim.AdamW(
            parameters,
            eps=config.TRAIN.OPTIMIZER.EPS,
            betas=config.TRAIN.OPTIMIZER.BETAS,
            lr=config.TRAIN.BASE_LR,
            weight_decay=config.TRAIN.WEIGHT_DECAY,
        )
    return optimizer


def get_finetune_param_groups(model, lr, weight_decay, skip_list=(), skip_keywords=()):
    groups = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if len(param.shape) == 1 or name.endswith(".bias") or name in skip_list or any(k in name for k in skip_keywords):
            group_name, this_weight_decay = "no_decay", 0.0
        else:
            group_name, this_weight_decay = "decay", weight_decay
        groups.setdefault(group_name, {"weight_decay": this_weight_decay, "params": [], "lr": lr})
        groups[group_name]["params"].append(param)
    return list(groups.values())
