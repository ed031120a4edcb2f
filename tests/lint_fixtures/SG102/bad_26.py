import torch


def build_optimizer(model, lr=3e-4):
    # torch >= 2.3 optimizers take the named parameters as well: still every parameter
    return torch.optim.AdamW(model.named_parameters(), lr=lr, weight_decay=0.05)
