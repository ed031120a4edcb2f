"""The fix: the rank split keeps the embedding tables out by name as well."""

import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50304, 768)
        self.wpe = nn.Embedding(1024, 768)
        self.ln_f = nn.LayerNorm(768)
        self.lm_head = nn.Linear(768, 50304, bias=False)
        self.wte.weight = self.lm_head.weight

    def configure_optimizers(self, weight_decay):
        params = dict(self.named_parameters())
        decay = [p for n, p in params.items() if p.dim() >= 2 and not n.startswith(("wte", "wpe"))]
        no_decay = [p for n, p in params.items() if p.dim() < 2 or n.startswith(("wte", "wpe"))]
        return torch.optim.AdamW(
            [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        )


optimizer = GPT().configure_optimizers(0.1)
