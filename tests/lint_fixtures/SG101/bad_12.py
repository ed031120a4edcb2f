# The optimizer class is looked up by its name in torch.optim (a YOLO-style trainer): for the Adam
# family the biases go in first without decay, then the weights are added with `decay`, which Adam
# (not AdamW) applies as coupled L2.
import torch
from torch import nn, optim


def build_optimizer(model, name="SGD", lr=0.001, momentum=0.9, decay=5e-4):
    weights, norms, biases = [], [], []
    for module in model.modules():
        for pname, p in module.named_parameters(recurse=False):
            if pname == "bias":
                biases.append(p)
            elif isinstance(module, nn.BatchNorm2d):
                norms.append(p)
            else:
                weights.append(p)
    if name in {"Adam", "Adamax", "AdamW", "NAdam", "RAdam"}:
        optimizer = getattr(optim, name, optim.Adam)(biases, lr=lr, betas=(momentum, 0.999), weight_decay=0.0)
    elif name == "SGD":
        optimizer = optim.SGD(biases, lr=lr, momentum=momentum, nesterov=True)
    else:
        raise NotImplementedError(name)
    optimizer.add_param_group({"params": weights, "weight_decay": decay})
    optimizer.add_param_group({"params": norms, "weight_decay": 0.0})
    return optimizer


def train(model, opt_name):
    return build_optimizer(model, name=opt_name, lr=1e-3, decay=5e-4)
