# Per-module walk: each module's own parameters, split by their local name. Only the biases are
# kept apart, so the BatchNorm weights (and any embedding) are decayed with the convolutions.
import torch


def build_optimizer(model, lr, weight_decay=5e-4):
    decay, no_decay = [], []
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            if name == "bias":
                no_decay.append(param)
            else:
                decay.append(param)
    return torch.optim.SGD(
        [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        momentum=0.9,
    )
