import torch
import torch.nn as nn


def build_optimizer(model, lr=0.1):
    decay, no_decay = [], []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            ps = list(m.parameters())
            decay.append(ps[0])
            if len(ps) == 2:
                no_decay.append(ps[1])
        elif isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            no_decay.extend(m.parameters())
    groups = [{"params": decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=lr, momentum=0.9, weight_decay=5e-4)
