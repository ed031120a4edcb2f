# The usual split, the right way round: biases and norms in the group without decay; biases
# collected apart and given weight_decay=0.
import torch
from torch import nn


def build(model, args):
    no_decay = ["bias", "LayerNorm.weight"]
    named = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=args.lr)


def build_sgd(model, lr):
    weights, biases = [], []
    for m in model.modules():
        if hasattr(m, "bias") and isinstance(m.bias, nn.Parameter):
            biases.append(m.bias)
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            weights.append(m.weight)
    optimizer = torch.optim.SGD(weights, lr=lr, momentum=0.9, weight_decay=1e-4)
    optimizer.add_param_group({"params": biases, "weight_decay": 0.0})
    return optimizer
