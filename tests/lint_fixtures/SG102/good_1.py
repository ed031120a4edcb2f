# Hugging Face style: a decay group and a no-decay group.
import torch

no_decay = ["bias", "LayerNorm.weight"]
model = torch.nn.Linear(3, 3)
grouped = [
    {
        "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
        "weight_decay": 0.01,
    },
    {
        "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
        "weight_decay": 0.0,
    },
]
optimizer = torch.optim.AdamW(grouped, lr=5e-5)
