"""Paraphrase of models.py (younggyoseo/vae-cf-pytorch): the two autoencoders main.py trains."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parameter import Parameter


class MultiVAE(nn.Module):
    def __init__(self, p_dims, dropout=0.5):
        super().__init__()
        q_dims = p_dims[::-1]
        enc = q_dims[:-1] + [q_dims[-1] * 2]
        self.q_layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(enc[:-1], enc[1:])])
        self.p_layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(p_dims[:-1], p_dims[1:])])
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.drop(F.normalize(x))
        for layer in self.q_layers:
            h = torch.tanh(layer(h))
        return h


class MultiSAE(nn.Module):
    def __init__(self, n_inputs, dropout=0.0):
        super().__init__()
        self.weight = Parameter(torch.empty(n_inputs, n_inputs))
        self.drop = nn.Dropout(dropout)

    def forward(self, h):
        return F.linear(self.drop(h), self.weight), None, None
