# Grouped parameters built by a helper that keeps every 1-D parameter (biases, norm weights) and
# the embeddings out of decay.
import torch


def param_groups_weight_decay(model, weight_decay=1e-5, no_weight_decay_list=()):
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias") or "embed" in name or name in no_weight_decay_list:
            no_decay.append(param)
        else:
            decay.append(param)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def build(model, args):
    groups = param_groups_weight_decay(model, args.weight_decay)
    return torch.optim.AdamW(groups, lr=args.lr)
