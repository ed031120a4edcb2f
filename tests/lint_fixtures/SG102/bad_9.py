# AdamW's default weight_decay is 0.01: without an explicit value it still decays every
# parameter, biases and norms included.
import torch


def build(model, lr=3e-4):
    return torch.optim.AdamW(params=model.parameters(), lr=lr)
