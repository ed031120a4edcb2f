# The same loop, with the biases and 1-D weights (norms) split off first into a group without
# decay; and a loop that keeps the frozen parameters out and decays only the matrices of the head.
import torch


def build_optimizer(model, lr, weight_decay=1e-4):
    backbone, head, no_decay = [], [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1:
            no_decay.append(param)
        elif name.startswith("backbone."):
            backbone.append(param)
        else:
            head.append(param)
    return torch.optim.SGD(
        [{"params": backbone, "lr": lr * 0.1}, {"params": head}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        momentum=0.9,
        weight_decay=weight_decay,
    )


def build_head_only(model, lr):
    matrices, rest = [], []
    for name, param in model.named_parameters():
        if name.startswith("backbone."):
            continue
        if param.ndim >= 2:
            matrices.append(param)
        else:
            rest.append(param)
    return torch.optim.AdamW([{"params": matrices}, {"params": rest, "weight_decay": 0.0}], lr=lr, weight_decay=0.05)
