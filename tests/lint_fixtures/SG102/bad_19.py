# Backbone and head collected in one loop over the named parameters for two learning rates;
# frozen parameters skipped. Both lists decay at the optimizer's value, norms and biases included.
import torch


def build_optimizer(model, lr, weight_decay=1e-4):
    backbone, head = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if name.startswith("backbone."):
            backbone.append(param)
        else:
            head.append(param)
    return torch.optim.SGD(
        [{"params": backbone, "lr": lr * 0.1}, {"params": head}],
        lr=lr,
        momentum=0.9,
        weight_decay=weight_decay,
    )
