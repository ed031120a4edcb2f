"""An adapter list filled by name that also takes the final norm, then decayed."""

import torch.optim as optim


def create_optimizer(model, lr):
    for param in model.parameters():
        param.requires_grad = False
    trainable = []
    for name, param in model.named_parameters():
        if any(key in name for key in ["backbone.adapters", "backbone.final_norm", "head."]):
            param.requires_grad = True
            trainable.append(param)
    return optim.AdamW(trainable, lr=lr, weight_decay=0.01)
