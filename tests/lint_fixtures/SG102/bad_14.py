# The split keeps only the biases out of decay: the model's normalization and embedding weights
# stay in the decayed group (the model is handed in, so it is taken to have them).
import torch


def build_optimizer(model, lr, l2):
    weight_p, bias_p = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (bias_p if "bias" in name else weight_p).append(p)
    groups = [{"params": weight_p, "weight_decay": l2}, {"params": bias_p, "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=lr, momentum=0.9)
