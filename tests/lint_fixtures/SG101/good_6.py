# The class is looked up by name in torch.optim, but only decoupled (AdamW) or SGD can come back:
# the decayed weights get decoupled decay or plain SGD weight decay.
import torch
from torch import nn, optim


def build_optimizer(model, name="SGD", lr=0.001, momentum=0.9, decay=5e-4):
    weights, others = [], []
    for module in model.modules():
        for pname, p in module.named_parameters(recurse=False):
            if pname == "bias" or isinstance(module, nn.BatchNorm2d):
                others.append(p)
            else:
                weights.append(p)
    if name in ("AdamW", "SGD"):
        optimizer = getattr(optim, name)(others, lr=lr, weight_decay=0.0)
    else:
        raise NotImplementedError(name)
    optimizer.add_param_group({"params": weights, "weight_decay": decay})
    return optimizer


def build_adamw(model, lr=1e-3):
    opt_cls = getattr(torch.optim, "AdamW")
    return opt_cls(model.parameters(), lr=lr, weight_decay=0.0)
