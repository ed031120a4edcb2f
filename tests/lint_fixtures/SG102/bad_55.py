"""A hand-written AdamW class of the file with a decoupled decay and weight_decay=1e-2 by
default: built without a weight_decay, it decays the embedding and the LayerNorm."""

import math

import torch
import torch.nn as nn


class AdamW(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                t = state.get("t", 0) + 1
                m = state.get("m", torch.zeros_like(p)).mul_(group["betas"][0]).add_(p.grad, alpha=1 - group["betas"][0])
                v = state.get("v", torch.zeros_like(p)).mul_(group["betas"][1]).addcmul_(p.grad, p.grad, value=1 - group["betas"][1])
                state.update(t=t, m=m, v=v)
                step = group["lr"] * math.sqrt(1 - group["betas"][1] ** t) / (1 - group["betas"][0] ** t)
                p.addcdiv_(m, v.sqrt().add_(group["eps"]), value=-step)
                p.mul_(1 - group["lr"] * group["weight_decay"])


class TinyLM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)


model = TinyLM(1000, 64)
optimizer = AdamW(model.parameters(), lr=3e-4)
