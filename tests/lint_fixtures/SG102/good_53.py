"""A BERT-style no-decay list in a script that imports transformers (for its schedule) over a
timm vision model: the model is seen and is not a transformers one, so no embedding is assumed."""

import timm
import torch
from transformers import get_cosine_schedule_with_warmup


def build(steps):
    model = timm.create_model("resnet50", num_classes=10)
    no_decay = ["bias", "LayerNorm.weight", "bn"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": 0.05},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(grouped, lr=1e-3)
    return optimizer, get_cosine_schedule_with_warmup(optimizer, 500, steps)
