# Groups added after the construction carry the decay: on Adam it is coupled L2.
import torch
from torch import nn


def build(model, hyp, name="Adam"):
    no_decay, decay, biases = [], [], []
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            no_decay.append(m.weight)
        elif hasattr(m, "weight") and isinstance(m.weight, nn.Parameter):
            decay.append(m.weight)
        if hasattr(m, "bias") and isinstance(m.bias, nn.Parameter):
            biases.append(m.bias)
    if name == "Adam":
        optimizer = torch.optim.Adam(no_decay, lr=hyp["lr0"], betas=(hyp["momentum"], 0.999))
    else:
        optimizer = torch.optim.SGD(no_decay, lr=hyp["lr0"], momentum=hyp["momentum"], nesterov=True)
    optimizer.add_param_group({"params": decay, "weight_decay": hyp["weight_decay"]})
    optimizer.add_param_group({"params": biases})
    return optimizer
