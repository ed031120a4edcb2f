# Biases collected into their own list, then added as a group without a weight_decay: like the
# BatchNorm weights, it inherits AdamW's default of 0.01.
import torch
from torch import nn


def build(model, lr, momentum):
    norms, weights, biases = [], [], []
    for m in model.modules():
        if hasattr(m, "bias") and isinstance(m.bias, nn.Parameter):
            biases.append(m.bias)
        if isinstance(m, nn.BatchNorm2d):
            norms.append(m.weight)
        elif hasattr(m, "weight") and isinstance(m.weight, nn.Parameter):
            weights.append(m.weight)
    optimizer = torch.optim.AdamW(norms, lr=lr, betas=(momentum, 0.999))
    optimizer.add_param_group({"params": weights, "weight_decay": 5e-4})
    optimizer.add_param_group({"params": biases})
    return optimizer
