"""A rank split over a model the linter cannot see (a parameter nobody in the file passes):
silent, precision first."""

import torch


def configure_optimizers(model, weight_decay, lr):
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)
