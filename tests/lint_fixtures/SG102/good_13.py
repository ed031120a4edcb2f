# Backbone and head at two learning rates, each split again into decay and no-decay parts: the
# groups that decay hold neither biases nor norms.
import torch


def build(model, lr, lr_backbone, weight_decay=0.05):
    no_decay = ("bias", "norm")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if "backbone" in n and not any(k in n for k in no_decay)],
            "lr": lr_backbone,
        },
        {
            "params": [p for n, p in model.named_parameters() if "backbone" in n and any(k in n for k in no_decay)],
            "lr": lr_backbone,
            "weight_decay": 0.0,
        },
        {"params": [p for n, p in model.named_parameters() if "backbone" not in n and not any(k in n for k in no_decay)]},
        {
            "params": [p for n, p in model.named_parameters() if "backbone" not in n and any(k in n for k in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    return torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay)
