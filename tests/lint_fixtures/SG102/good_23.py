import torch


def build_optimizer(model, lr=3e-4):
    # every named parameter, and no decay at all: nothing decays that must not
    return torch.optim.AdamW(model.named_parameters(), lr=lr, weight_decay=0.0)
