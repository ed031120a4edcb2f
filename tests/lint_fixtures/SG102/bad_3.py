import torch
from transformers import get_linear_schedule_with_warmup


class LitModel:
    def configure_optimizers(self):
        params = filter(lambda p: p.requires_grad, self.model.parameters())
        optimizer = torch.optim.AdamW(list(params), lr=2e-5, eps=1e-8, weight_decay=0.01)
        scheduler = get_linear_schedule_with_warmup(optimizer, 100, 1000)
        return [optimizer], [scheduler]
