import inspect
from dataclasses import dataclass, fields
from typing import Optional

import torch
import torch.nn as nn


@dataclass(init=False)
class TrainConfig:
    learning_rate: Optional[float] = 6e-4
    weight_decay: Optional[float] = 1e-1
    beta1: Optional[float] = 0.9
    beta2: Optional[float] = 0.99
    decay_lr: Optional[bool] = True
    warmup_iters: Optional[int] = 300
    lr_decay_iters: Optional[int] = 100000
    min_lr: Optional[float] = 6e-5
    batch_size: Optional[int] = 128
    gradient_accumulation_steps: Optional[int] = 4
    grad_clip: Optional[float] = 1.0
    device: Optional[str] = "cuda:0"
    dtype: Optional[str] = "float16"

    def __init__(self, **kwargs):
        names = set([f.name for f in fields(self)])
        for k, v in kwargs.items():
            if k in names:
                setattr(self, k, v)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            )
        )
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def configure_optimizers(self, weight_decay, learning_rate, betas, device_type):
        param_dict = {pn: p for pn, p in self.named_parameters()}
        param_dict = {pn: p for pn, p in param_dict.items() if p.requires_grad}
        decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
        nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
        optim_groups = [
            {"params": decay_params, "weight_decay": weight_decay},
            {"params": nodecay_params, "weight_decay": 0.0},
        ]
        fused_available = "fused" in inspect.signature(torch.optim.AdamW).parameters
        use_fused = fused_available and device_type == "cuda"
        extra_args = dict(fused=True) if use_fused else dict()
        optimizer = torch.optim.AdamW(optim_groups, lr=learning_rate, betas=betas, **extra_args)
        return optimizer
