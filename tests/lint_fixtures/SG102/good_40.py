"""An adapter list filled by name with adapter weights only: no norm, bias or embedding named."""

import torch.optim as optim


def create_optimizer(model, lr):
    for param in model.parameters():
        param.requires_grad = False
    trainable = []
    for name, param in model.named_parameters():
        if any(key in name for key in ["lora_A", "lora_B"]):
            param.requires_grad = True
            trainable.append(param)
    return optim.AdamW(trainable, lr=lr, weight_decay=0.01)
